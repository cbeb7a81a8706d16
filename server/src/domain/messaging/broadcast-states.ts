// The state machine of a broadcast, as data: its recipients are read (importing), it waits for `send_at`
// (scheduled) or sends (running), may be held (paused) and resumed, ends once every recipient was handed to a channel
// (completed) or is stopped (cancelled: recipients not yet sent end `cancelled`).
import type { MessengerBroadcastState } from '../../db/schema.js';
import { stateMachine } from './state-machine.js';

export const BROADCAST_STATES = ['importing', 'scheduled', 'running', 'paused', 'completed', 'cancelled'] as const;

export const BROADCAST_TRANSITIONS: Readonly<Record<MessengerBroadcastState, readonly MessengerBroadcastState[]>> = {
  importing: ['scheduled', 'running', 'cancelled'],
  scheduled: ['running', 'paused', 'cancelled'],
  running: ['paused', 'completed', 'cancelled'],
  paused: ['scheduled', 'running', 'cancelled'],
  completed: [],
  cancelled: [],
};

const broadcastMachine = stateMachine('broadcast', BROADCAST_TRANSITIONS);
export const broadcastCanBecome = broadcastMachine.canBecome;
export const assertBroadcastTransition = broadcastMachine.assert;
