// Wakes this process's outbound channel worker when a transaction may have queued a reply for a provider, so a reply
// leaves at once rather than at the next poll.
import { EventEmitter } from 'node:events';

const signal = new EventEmitter();
signal.setMaxListeners(0);

/** Called inside the transaction that queued an outbound row; the worker looks again shortly (it may not have committed yet). */
export function notifyOutboundWork(): void {
  signal.emit('work');
}

/** Subscribes to wake-ups; returns the unsubscribe function. */
export function onOutboundWork(listener: () => void): () => void {
  signal.on('work', listener);
  return () => signal.off('work', listener);
}
