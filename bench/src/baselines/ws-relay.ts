// Baseline for realtime-throughput: bare node:http + raw ws relaying each visitor frame to the operator socket, persisting nothing.
import http from 'node:http';
import { type WebSocket, WebSocketServer } from 'ws';

const port = Number(process.argv[2]);
let operator: WebSocket | undefined;

const server = http.createServer((request, response) => {
  response.writeHead(request.url === '/ready' ? 200 : 404).end();
});
const sockets = new WebSocketServer({ server, perMessageDeflate: false });
sockets.on('connection', (socket, request) => {
  if (request.url?.startsWith('/operator')) {
    operator = socket;
    return;
  }
  socket.on('message', (data) => {
    // Parse and re-serialise, as any real relay must look inside the frame to route it.
    const frame = JSON.parse(String(data)) as { text: string; id: string };
    operator?.send(JSON.stringify({ type: 'message', text: frame.text, id: frame.id }));
    socket.send(JSON.stringify({ type: 'ack', id: frame.id }));
  });
});
server.listen(port, '127.0.0.1');
