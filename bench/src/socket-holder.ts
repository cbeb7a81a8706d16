// A process that opens and holds idle sockets for realtime-connections: one process cannot open more sockets than its
// limit on open files (20,000 on the benchmark machine), so the benchmark spreads its clients over several of these.
//
// Usage: node socket-holder.js URL COUNT [WEBSITE_ID]. With a website id, each socket says hello (as the widget does)
// and waits for its welcome. Prints `ready N` (N sockets open) once done, then holds them until stdin closes.
import type { WebSocket } from 'ws';
import { type Frame, nextFrame, openSocket } from './client.js';

const BATCH = 400;

async function holdSockets(url: string, count: number, websiteId: number | undefined): Promise<void> {
  const sockets: WebSocket[] = [];
  for (let opened = 0; opened < count; opened += BATCH) {
    const batch = await Promise.all(Array.from({ length: Math.min(BATCH, count - opened) }, () => openSocket(url)));
    if (websiteId !== undefined) {
      await Promise.all(
        batch.map((socket) => {
          const welcome = nextFrame(socket, (frame: Frame) => frame.type === 'welcome', 30_000);
          socket.send(JSON.stringify({ type: 'hello', website_id: websiteId }));
          return welcome;
        }),
      );
    }
    sockets.push(...batch);
  }
  const open = sockets.filter((socket) => socket.readyState === socket.OPEN).length;
  process.stdout.write(`ready ${open}\n`);
  process.stdin.resume();
  process.stdin.once('end', () => {
    for (const socket of sockets) socket.terminate();
    process.exit(0);
  });
}

const [url, count, websiteId] = process.argv.slice(2);
if (url === undefined || count === undefined) {
  console.error('Usage: node socket-holder.js URL COUNT [WEBSITE_ID]');
  process.exit(2);
}
holdSockets(url, Number(count), websiteId === undefined ? undefined : Number(websiteId)).catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
});
