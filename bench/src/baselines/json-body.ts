// Baseline of rest: a bare node:http server answering `GET /body?bytes=N` with a fixed JSON body of N bytes (built once
// per size, then served as is): what answering a read costs when nothing is looked up, checked or serialized.
import http from 'node:http';

const port = Number(process.argv[2]);
const bodies = new Map<number, Buffer>();

/** `{"data":"xxx…"}` padded to exactly `bytes` bytes (at least the 11 of the empty object). */
function bodyOf(bytes: number): Buffer {
  let body = bodies.get(bytes);
  if (body === undefined) {
    const padding = Math.max(0, bytes - '{"data":""}'.length);
    body = Buffer.from(`{"data":"${'x'.repeat(padding)}"}`);
    bodies.set(bytes, body);
  }
  return body;
}

const server = http.createServer((request, response) => {
  if (request.url === '/ready') {
    response.writeHead(200).end('ok');
    return;
  }
  const bytes = Number(new URL(request.url ?? '/', 'http://baseline').searchParams.get('bytes') ?? '0');
  const body = bodyOf(Number.isSafeInteger(bytes) && bytes >= 0 && bytes <= 10_000_000 ? bytes : 0);
  response.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': body.length });
  response.end(body);
});
server.keepAliveTimeout = 60_000;
server.listen(port, '127.0.0.1');
