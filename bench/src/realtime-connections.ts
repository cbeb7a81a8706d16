// realtime-connections: idle visitor sockets held by one node, and the memory each costs, beside a bare ws server.
//
// Each visitor socket is opened and identified (hello → welcome) as the widget does, then left idle. Memory per
// socket is the server's resident-memory growth divided by the sockets, after a settling pause. The baseline is
// a bare node:http + ws server holding the same number of sockets in the same run.
import type { WebSocket } from 'ws';
import { type Frame, createTenant, nextFrame, openSocket, wsUrl } from './client.js';
import { type Server, startBaseline, startCauserie } from './processes.js';
import type { BenchOptions } from './run.js';
import { round } from './stats.js';

const TARGET_SOCKETS = 20_000;
const TARGET_BYTES_PER_SOCKET = 20 * 1024;
/** This machine's hard limit on open files per process is 20,000 and cannot be raised without CAP_SYS_RESOURCE:
 *  the server needs a few descriptors for itself, so a full run holds a little under the limit. */
const FULL_SOCKETS = 19_800;
const QUICK_SOCKETS = 4_000;
const BATCH = 400;
const settle = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function holdSockets(server: Server, count: number, path: string, hello: ((socket: WebSocket) => Promise<void>) | null): Promise<{ bytesPerSocket: number; rssBytes: number; sockets: WebSocket[] }> {
  await settle(1_000);
  const before = server.rss();
  const sockets: WebSocket[] = [];
  for (let opened = 0; opened < count; opened += BATCH) {
    const batch = await Promise.all(Array.from({ length: Math.min(BATCH, count - opened) }, () => openSocket(wsUrl(server, path))));
    if (hello) await Promise.all(batch.map(hello));
    sockets.push(...batch);
  }
  await settle(3_000);
  const after = server.rss();
  return { bytesPerSocket: (after - before) / count, rssBytes: after, sockets };
}

export async function realtimeConnections(options: BenchOptions): Promise<Record<string, unknown>> {
  const count = options.quick ? QUICK_SOCKETS : FULL_SOCKETS;

  const baseline = await startBaseline('ws-idle');
  let baselineResult;
  try {
    // The bare server greets on connection; an open socket is all the baseline needs.
    baselineResult = await holdSockets(baseline, count, '/', null);
    for (const socket of baselineResult.sockets) socket.terminate();
  } finally {
    await baseline.stop();
  }

  const causerie = await startCauserie();
  let causerieResult;
  try {
    const tenant = await createTenant(causerie, 1, 2);
    causerieResult = await holdSockets(causerie, count, '/realtime/visitor', async (socket) => {
      const welcome = nextFrame(socket, (frame: Frame) => frame.type === 'welcome');
      socket.send(JSON.stringify({ type: 'hello', website_id: tenant.websiteId }));
      await welcome;
    });
    const open = causerieResult.sockets.filter((socket) => socket.readyState === socket.OPEN).length;
    if (open !== count) throw new Error(`only ${open} of ${count} sockets stayed open`);
    for (const socket of causerieResult.sockets) socket.terminate();
  } finally {
    await causerie.stop();
  }

  console.log(`causerie: ${count} idle visitor sockets, ${round(causerieResult.bytesPerSocket / 1024)} KB each, RSS ${round(causerieResult.rssBytes / 1048576)} MB`);
  console.log(`baseline (bare ws): ${round(baselineResult.bytesPerSocket / 1024)} KB each`);
  return {
    sockets: count,
    causerie_bytes_per_socket: Math.round(causerieResult.bytesPerSocket),
    causerie_rss_mb: round(causerieResult.rssBytes / 1048576),
    baseline_bytes_per_socket: Math.round(baselineResult.bytesPerSocket),
    ratio_bytes: round(causerieResult.bytesPerSocket / baselineResult.bytesPerSocket, 2),
    target: { sockets: TARGET_SOCKETS, bytes_per_socket: TARGET_BYTES_PER_SOCKET },
    meets_memory_target: causerieResult.bytesPerSocket <= TARGET_BYTES_PER_SOCKET,
  };
}
