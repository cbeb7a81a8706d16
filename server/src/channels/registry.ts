// The typed registry of channel adapters: it imports every adapter (the adapters import only adapter.ts's types).
import type { ChannelAdapter, ChannelType, Credentials } from './adapter.js';
import { chatAdapter } from './chat.js';
import { rcsAdapter } from './rcs.js';
import { smsAdapter } from './sms.js';
import { whatsappAdapter } from './whatsapp.js';

/**
 * Every adapter, by type. Adding a type to CHANNEL_TYPES without its adapter does not compile. Adapters declare their
 * credentials as a type alias of string fields; the stored object was validated against their schema on write.
 */
export const ADAPTERS: { [T in ChannelType]: ChannelAdapter<Credentials> & { type: T } } = {
  whatsapp: whatsappAdapter,
  sms: smsAdapter,
  rcs: rcsAdapter,
  chat: chatAdapter,
};

/** The adapter of a channel type. */
export function adapterFor(type: ChannelType): ChannelAdapter<Credentials> {
  return ADAPTERS[type];
}
