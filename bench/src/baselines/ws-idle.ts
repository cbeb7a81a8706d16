// Baseline for realtime-connections: bare node:http + raw ws holding idle sockets and nothing else.
import http from 'node:http';
import { WebSocketServer } from 'ws';

const port = Number(process.argv[2]);
const server = http.createServer((request, response) => {
  response.writeHead(request.url === '/ready' ? 200 : 404).end();
});
const sockets = new WebSocketServer({ server, perMessageDeflate: false });
sockets.on('connection', (socket) => {
  socket.send('{"type":"welcome"}');
});
server.listen(port, '127.0.0.1');
