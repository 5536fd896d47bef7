// node ws echo server, a benchmark peer (Debian's node-ws; NODE_PATH=/usr/share/nodejs).
// Messages up to 64 MiB; permessage-deflate offered with ws's defaults.
'use strict';
const { WebSocketServer } = require('ws');
const portIndex = process.argv.indexOf('--port');
const port = portIndex > 0 ? Number(process.argv[portIndex + 1]) : 0;
const wss = new WebSocketServer({ host: '127.0.0.1', port, backlog: 4096, maxPayload: 64 << 20, perMessageDeflate: true });
wss.on('connection', (ws) => {
  ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary }));
  ws.on('error', () => {});
});
wss.on('listening', () => console.log('PORT ' + wss.address().port));
