// Wakes this process's flow engine when a transaction may have made a run due (a request, a reply, a change), so the
// run goes on at once rather than at the next poll.
import { createWorkSignal } from '../../work-signal.js';

const signal = createWorkSignal();

/** Called inside the transaction that made a run due; the engine looks again shortly (it may not have committed yet). */
export const notifyFlowWork = signal.notify;

/** Subscribes to wake-ups; returns the unsubscribe function. */
export const onFlowWork = signal.subscribe;
