// Baseline of whatsapp-inbound: a bare node:http server that reads each POST body and answers 200, storing nothing.
import http from 'node:http';

const port = Number(process.argv[2]);
const server = http.createServer((request, response) => {
  if (request.url === '/ready') {
    response.writeHead(200).end('ok');
    return;
  }
  let length = 0;
  request.on('data', (chunk: Buffer) => (length += chunk.length));
  request.on('end', () => {
    response.writeHead(200, { 'content-type': 'text/plain' }).end(length > 0 ? 'EVENT_RECEIVED' : '');
  });
});
server.keepAliveTimeout = 60_000;
server.listen(port, '127.0.0.1');
