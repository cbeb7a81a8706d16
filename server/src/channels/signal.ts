// Wakes this process's outbound channel worker when a transaction may have queued a reply for a provider, so a reply
// leaves at once rather than at the next poll.
import { createWorkSignal } from '../work-signal.js';

const signal = createWorkSignal();

/** Called inside the transaction that queued an outbound row; the worker looks again shortly (it may not have committed yet). */
export const notifyOutboundWork = signal.notify;

/** Subscribes to wake-ups; returns the unsubscribe function. */
export const onOutboundWork = signal.subscribe;
