// node ws as a benchmark client: same options and output as BenchClient.
// wss:// URLs: --ca FILE is the CA the server's certificate must chain to (ws's `ca` option).
'use strict';
const fs = require('fs');
const WebSocket = require('ws');

const o = { url: 'ws://127.0.0.1:9000/', mode: 'stream', conns: 1, inflight: 1, size: 16, kind: 'binary',
  payload: null, duration: 2, warmup: 0.3, deflate: false, ca: null };
for (let i = 2; i < process.argv.length; i++) {
  const key = process.argv[i].replace(/^--/, '');
  if (key === 'deflate') { o.deflate = true; continue; }
  const value = process.argv[++i];
  o[key] = typeof o[key] === 'number' ? Number(value) : value;
}
let data;
if (o.payload) data = fs.readFileSync(o.payload);
else if (o.kind === 'text') data = Buffer.from(Array.from({ length: o.size }, (_, i) => 97 + (i % 26)));
else data = Buffer.from(Array.from({ length: o.size }, (_, i) => (i * 31 + 7) & 0xff));
const binary = !o.payload && o.kind === 'binary';
const ca = o.ca ? fs.readFileSync(o.ca) : undefined;
const options = { perMessageDeflate: o.deflate, maxPayload: 64 << 20, ca };
let received = 0, errors = 0, stop = false;

function stream() {
  return new Promise((resolve) => {
    const ws = new WebSocket(o.url, options);
    let outstanding = 0;
    ws.on('open', () => {
      for (let i = 0; i < o.inflight; i++) ws.send(data, { binary });
      outstanding = o.inflight;
    });
    ws.on('message', (echo, isBinary) => {
      outstanding--;
      if (isBinary !== binary || !data.equals(echo)) errors++;
      received++;
      if (!stop) { ws.send(data, { binary }); outstanding++; } else if (outstanding === 0) ws.close();
    });
    ws.on('error', () => { errors++; });
    ws.on('close', resolve);
  });
}

async function handshakes() {
  while (!stop) {
    await new Promise((resolve) => {
      const ws = new WebSocket(o.url, { perMessageDeflate: false, ca });
      ws.on('open', () => ws.close());
      ws.on('error', () => { errors++; });
      ws.on('close', () => { received++; resolve(); });
    });
  }
}

const sleep = (s) => new Promise((r) => setTimeout(r, s * 1000));
(async () => {
  const jobs = [];
  for (let i = 0; i < o.conns; i++) jobs.push(o.mode === 'handshake' ? handshakes() : stream());
  await sleep(o.warmup);
  const startCount = received, start = process.hrtime.bigint();
  await sleep(o.duration);
  const endCount = received, seconds = Number(process.hrtime.bigint() - start) / 1e9;
  stop = true;
  await Promise.race([Promise.all(jobs), sleep(15).then(() => { errors++; })]);
  console.log(JSON.stringify({ messages: endCount - startCount, seconds, errors }));
  process.exit(0);
})();
