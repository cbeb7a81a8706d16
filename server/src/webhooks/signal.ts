// Wakes this process's webhook worker when a transaction may have queued webhook work, so idle latency is not a poll interval.
import { EventEmitter } from 'node:events';

const signal = new EventEmitter();
signal.setMaxListeners(0);

/** Called after a write that queued outbox rows; the worker looks again shortly (the write may not have committed yet). */
export function notifyWebhookWork(): void {
  signal.emit('work');
}

/** Subscribes to wake-ups; returns the unsubscribe function. */
export function onWebhookWork(listener: () => void): () => void {
  signal.on('work', listener);
  return () => signal.off('work', listener);
}
