// The one catalogue of event names (dotted, singular). Webhook names of the seeds are mapped from it elsewhere.

export const EVENT_TYPES = [
  'partner.created',
  'client.created',
  'client.updated',
  'api_key.created',
  'api_key.revoked',
  'website.created',
  'website.updated',
  'user.created',
  'user.updated',
  'user.deleted',
  'group.created',
  'group.updated',
  'group.deleted',
  'skill.created',
  'skill.updated',
  'skill.deleted',
  'user.connected',
  'user.disconnected',
  'user.availability_changed',
  'user.profile_updated',
  'visitor.created',
  'visitor.updated',
  'visitor.deleted',
  'conversation.started',
  'conversation.updated',
  'conversation.closed',
  // Live routing (domain/routing): what became of a visitor's request.
  'conversation.queued',
  'conversation.assigned',
  'conversation.transferred',
  'conversation.missed',
  'conversation.abandoned',
  'message.created',
  // Channels (channels/): a provider's delivery state of an outbound message changed; channel settings changed.
  'message.status_changed',
  'channel.created',
  'channel.updated',
  'channel.deleted',
  'tag.created',
  'tag.updated',
  'transaction.created',
  'satisfaction.filled',
  'call_meeting.created',
  'call_meeting.updated',
  // Webhooks (webhooks/): a subscription switched off by the platform; connector names are reserved by seed 003.
  'webhook.created',
  'webhook.updated',
  'webhook.deleted',
  'webhook.secret_rotated',
  'webhook.disabled',
  'connector.installed',
  'connector.uninstalled',
] as const;

export type EventType = (typeof EVENT_TYPES)[number];

/** Webhook domains of seed 003 ("Webhook API"), for subscriptions that name a whole domain. */
export const EVENT_DOMAINS: Record<string, readonly EventType[]> = {
  'conversations.domain': ['conversation.started', 'conversation.closed', 'visitor.updated'],
  'users.domain': ['user.created', 'user.updated', 'satisfaction.filled', 'user.connected', 'user.disconnected'],
};
