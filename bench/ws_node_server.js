// bench/ws_node_server.js: the peer for bench/websocket.sh: Node's ws
// (Debian node-ws) echoing on any path and broadcasting on /chat, like
// hornet's wsecho app. No permessage-deflate (the load client offers none).
//   NODE_PATH=/usr/share/nodejs node bench/ws_node_server.js PORT
const http = require('http');
const WebSocket = require('ws');

const port = Number(process.argv[2]);
const server = http.createServer((req, res) => res.end('ok\n'));
const wss = new WebSocket.Server({server, perMessageDeflate: false});
const room = new Set();

wss.on('connection', (ws, req) => {
  const chat = req.url === '/chat';
  if (chat) room.add(ws);
  ws.on('message', (data, isBinary) => {
    if (!chat) return ws.send(data, {binary: isBinary});
    for (const member of room) member.send(data, {binary: isBinary});
  });
  ws.on('close', () => room.delete(ws));
});
server.listen(port, '127.0.0.1');
