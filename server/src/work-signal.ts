// In-process wake-ups for background workers: a writer that may have queued work says so, and the worker looks at once
// instead of at its next poll. The write may not have committed yet, so workers look again shortly after.
import { EventEmitter } from 'node:events';

export interface WorkSignal {
  /** Called by a write that queued work for the worker. */
  notify(): void;
  /** Subscribes the worker; returns the unsubscribe function. */
  subscribe(listener: () => void): () => void;
}

export function createWorkSignal(): WorkSignal {
  const emitter = new EventEmitter();
  emitter.setMaxListeners(0);
  return {
    notify: () => emitter.emit('work'),
    subscribe: (listener) => {
      emitter.on('work', listener);
      return () => emitter.off('work', listener);
    },
  };
}
