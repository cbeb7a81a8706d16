// Web chat through the channel interface: its inbound side is the realtime gateway (authenticated visitor sockets),
// its send is the realtime fan-out, so there is no webhook to verify and nothing for the outbound worker to do.
import { Type } from 'typebox';
import type { ChannelAdapter } from './adapter.js';

export type ChatCredentials = Record<string, never>;

export const chatAdapter: ChannelAdapter<ChatCredentials> & { type: 'chat' } = {
  type: 'chat',
  label: 'Web chat',
  credentialsSchema: Type.Object({}, { additionalProperties: false }),
  inbound: 'realtime',
  defaultBaseUrl: '',
  defaultSendRate: 1000,
  // Visitors reach the platform through the realtime gateway, which authenticates them; no webhook exists.
  verifyInbound: () => false,
  acknowledgement: { status: 404, contentType: 'text/plain', body: 'Web chat has no webhook.' },
  parseInbound: () => [],
  parseDeliveryStatus: () => [],
  // Operator messages reach visitors by the gateway's fan-out after commit (realtime/publisher.ts): delivered already.
  send: async (_context, message) => ({ ok: true, providerMessageId: message.reference }),
};
