// Rows → API shapes for an operator's live state (seed 003 "Get operator's live availability"), and the answer to a live change.
import { LIVE_CHANNELS, type LiveChannel } from './live-schema.js';
import type { OperatorLiveRecord } from './live-store.js';
import type { LiveChange } from './presence.js';

function presentChannel(record: OperatorLiveRecord, channel: LiveChannel) {
  const enabled = { chat: record.chat_enabled, call: record.call_enabled, video: record.video_enabled }[channel];
  const available = { chat: record.chat_available, call: record.call_available, video: record.video_available }[
    channel
  ];
  // A call or a video occupies the operator entirely; chats run side by side up to chat_max_number.
  const slotMax = channel === 'chat' ? record.chat_max_number : 1;
  const slots = record.slots[channel];
  return {
    enabled: enabled === 1,
    slot_number: slots,
    slot_max_number: slotMax,
    busy: slots >= slotMax,
    available: available === 1,
  };
}

export function presentOperatorLive(record: OperatorLiveRecord) {
  return {
    id: record.id,
    connected: record.connected === 1,
    chat: presentChannel(record, 'chat'),
    call: presentChannel(record, 'call'),
    video: presentChannel(record, 'video'),
  };
}

/** Seed 003's message, one sentence per channel changed ("Operator is now available for chat channel."), then the disconnection. */
export function liveChangeMessage(change: LiveChange): string {
  const sentences: string[] = [];
  for (const channel of LIVE_CHANNELS) {
    const available = change[channel];
    if (available !== undefined)
      sentences.push(`Operator is now ${available ? 'available' : 'unavailable'} for ${channel} channel.`);
  }
  if (change.connected === false) sentences.push('Operator is now disconnected.');
  return sentences.join(' ');
}
