#!/usr/bin/env node
// node's `ws` (Debian `node-ws`) as a third-party peer of SwiftWebSocket's integration tests.
//
//   node peer.js server
//     Serves `ws` on four loopback ports: plain (no compression), permessage-deflate with ws's
//     defaults, permessage-deflate without context takeover and with small windows, and TLS
//     (Fixtures/tls/server.pem, issued by ca.pem). Prints
//     "READY <plain> <deflate> <deflate-small> <tls>" once all listen, then serves until stdin
//     closes (the test process owns its lifetime). Behaviour by request path: /echo echoes,
//     /close/N closes with N, /fragmented sends a text and a binary message in fragments,
//     /ping pings and reports the pong's payload, /compression reports the offer and the answer,
//     then echoes.
//
//   node peer.js client URL [deflate|deflate-small] [--ca CA_PEM]
//     Talks to an echo server: text, binary, a fragmented message, a 200 kB message, a ping, a
//     close with 1000; checks every echo byte for byte and prints "OK <negotiated extensions>"
//     (exit 0) or "FAILED: ..." (exit 1).
'use strict';
const fs = require('fs');
const https = require('https');
const path = require('path');
// Debian's node-ws lives in /usr/share/nodejs, which a node not from Debian does not search.
module.paths.push('/usr/share/nodejs');
const WebSocket = require('ws');

const tls = path.join(__dirname, '..', 'tls');

// ws's compression settings, named as the tests use them. `threshold: 0` compresses every
// message (ws's default leaves messages under 1 KiB uncompressed).
const compression = {
  none: false,
  deflate: { threshold: 0 },
  'deflate-small': {
    threshold: 0,
    serverNoContextTakeover: true,
    clientNoContextTakeover: true,
    serverMaxWindowBits: 10,
    clientMaxWindowBits: 9,
  },
};

function serve(ws, request) {
  const url = request.url;
  ws.on('error', () => {});
  if (url.startsWith('/echo')) {
    ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary }));
  } else if (url.startsWith('/close/')) {
    const code = Number(url.split('/')[2]);
    ws.close(code, 'closing with ' + code);
  } else if (url.startsWith('/fragmented')) {
    ws.send('frag', { fin: false });
    ws.send('men', { fin: false });
    ws.send('ted', { fin: true });
    ws.send(Buffer.from([1, 2]), { binary: true, fin: false });
    ws.send(Buffer.from([3]), { binary: true, fin: true });
  } else if (url.startsWith('/ping')) {
    ws.on('pong', (data) => ws.send('pong received: ' + data.toString()));
    ws.ping('from-node');
  } else if (url.startsWith('/compression')) {
    const offer = request.headers['sec-websocket-extensions'] || '';
    ws.send(offer + ' | ' + (request.responseExtensions || ''));
    ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary }));
  } else {
    ws.close(1008, 'unknown path');
  }
}

function listen(options) {
  return new Promise((resolve) => {
    const server = new WebSocket.Server(options);
    server.on('connection', serve);
    // The response's Sec-WebSocket-Extensions value, for /compression to report.
    server.on('headers', (headers, request) => {
      const line = headers.find((header) => header.toLowerCase().startsWith('sec-websocket-extensions:'));
      request.responseExtensions = line ? line.slice(line.indexOf(':') + 1).trim() : '';
    });
    if (options.server) {
      options.server.listen(0, '127.0.0.1', () => resolve(options.server.address().port));
    } else {
      server.on('listening', () => resolve(server.address().port));
    }
  });
}

async function runServer() {
  const secure = https.createServer({
    cert: fs.readFileSync(path.join(tls, 'server.pem')),
    key: fs.readFileSync(path.join(tls, 'server.key')),
  });
  const ports = await Promise.all([
    listen({ port: 0, host: '127.0.0.1', perMessageDeflate: compression.none }),
    listen({ port: 0, host: '127.0.0.1', perMessageDeflate: compression.deflate }),
    listen({ port: 0, host: '127.0.0.1', perMessageDeflate: compression['deflate-small'] }),
    listen({ server: secure, perMessageDeflate: compression.none }),
  ]);
  process.stdout.write('READY ' + ports.join(' ') + '\n');
  process.stdin.on('end', () => process.exit(0));
  process.stdin.on('close', () => process.exit(0));
  process.stdin.resume();
}

// One exchange: sends `data`, resolves with the next message.
function roundTrip(ws, data, options) {
  return new Promise((resolve, reject) => {
    ws.once('message', (reply, isBinary) => resolve({ reply, isBinary }));
    ws.once('close', (code) => reject(new Error('closed with ' + code + ' before the echo')));
    if (Array.isArray(data)) {
      data.forEach((part, index) => ws.send(part, { fin: index === data.length - 1 }));
    } else {
      ws.send(data, options);
    }
  });
}

function expectEcho(result, expected, binary, what) {
  const reply = binary ? result.reply : result.reply.toString('utf8');
  const same = binary ? Buffer.compare(reply, expected) === 0 : reply === expected;
  if (!same || result.isBinary !== binary) {
    throw new Error(what + ': the echo differs (binary ' + result.isBinary + ', ' + reply.length + ' bytes)');
  }
}

async function runClient(url, mode, ca) {
  const options = { perMessageDeflate: compression[mode || 'none'], maxPayload: 16 * 1024 * 1024 };
  if (ca) options.ca = fs.readFileSync(ca);
  const ws = new WebSocket(url, options);
  await new Promise((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
  });
  const text = 'hello κόσμε';
  expectEcho(await roundTrip(ws, text), text, false, 'text');
  const binary = Buffer.alloc(25600, 0);
  for (let i = 0; i < binary.length; i++) binary[i] = i % 256;
  expectEcho(await roundTrip(ws, binary, { binary: true }), binary, true, 'binary');
  expectEcho(await roundTrip(ws, ['frag', 'men', 'ted']), 'fragmented', false, 'fragmented');
  const big = 'x'.repeat(200000);
  expectEcho(await roundTrip(ws, big), big, false, '200 kB');
  const pong = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no pong within 30 s')), 30000);
    ws.once('pong', (data) => { clearTimeout(timer); resolve(data.toString()); });
    ws.ping('from-node');
  });
  if (pong !== 'from-node') throw new Error('pong payload ' + JSON.stringify(pong));
  if (mode && mode !== 'none' && !ws.extensions.includes('permessage-deflate')) {
    throw new Error('permessage-deflate was not negotiated: ' + JSON.stringify(ws.extensions));
  }
  const code = await new Promise((resolve) => {
    ws.once('close', (closeCode) => resolve(closeCode));
    ws.close(1000, 'done');
  });
  if (code !== 1000) throw new Error('closed with ' + code);
  process.stdout.write('OK ' + ws.extensions + '\n');
}

const [command, ...rest] = process.argv.slice(2);
if (command === 'server') {
  runServer();
} else if (command === 'client') {
  const caIndex = rest.indexOf('--ca');
  const ca = caIndex >= 0 ? rest.splice(caIndex, 2)[1] : undefined;
  runClient(rest[0], rest[1], ca).then(
    () => process.exit(0),
    (error) => { process.stdout.write('FAILED: ' + (error && error.message) + '\n'); process.exit(1); });
} else {
  process.stderr.write('usage: peer.js server | client URL [deflate|deflate-small] [--ca CA_PEM]\n');
  process.exit(2);
}
