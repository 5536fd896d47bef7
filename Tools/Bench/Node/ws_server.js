// node ws echo server, a benchmark peer (Debian's node-ws; NODE_PATH=/usr/share/nodejs).
// Messages up to 64 MiB; permessage-deflate offered with ws's defaults.
// wss:// with --tls-cert PEM --tls-key PEM: an https server (node's TLS defaults) carries ws.
'use strict';
const fs = require('fs');
const https = require('https');
const { WebSocketServer } = require('ws');
const option = (name) => { const i = process.argv.indexOf(name); return i > 0 ? process.argv[i + 1] : undefined; };
const port = Number(option('--port') || 0);
const cert = option('--tls-cert'), key = option('--tls-key');
const settings = { backlog: 4096, maxPayload: 64 << 20, perMessageDeflate: true };
let wss, listening;
if (cert) {
  const server = https.createServer({ cert: fs.readFileSync(cert), key: fs.readFileSync(key) });
  wss = new WebSocketServer({ server, ...settings });
  listening = server;
  server.listen(port, '127.0.0.1', 4096);
} else {
  wss = new WebSocketServer({ host: '127.0.0.1', port, ...settings });
  listening = wss;
}
wss.on('connection', (ws) => {
  ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary }));
  ws.on('error', () => {});
});
listening.on('listening', () => console.log('PORT ' + listening.address().port));
