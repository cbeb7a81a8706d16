// What the channel forms send and show (docs/CHANNELS.md): each provider's credentials, the bodies of POST and PUT
// /channel, and the base URL and send rate the server applies when a form leaves them empty (GET /channel_type).
import { type Api, dataOf, withFields } from '../api';

/** The channel types the console connects (web chat channels need no setup and are only listed). */
export type ProviderType = 'whatsapp' | 'sms' | 'rcs';
export const PROVIDER_TYPES: readonly ProviderType[] = ['whatsapp', 'sms', 'rcs'];
/** RCS takes exactly one of these: a service account's JSON key (tokens minted and renewed) or an access token. */
export type RcsAuth = 'service_account' | 'access_token';

export type CredentialName =
  | 'phone_number_id'
  | 'access_token'
  | 'app_secret'
  | 'verify_token'
  | 'api_version'
  | 'account_sid'
  | 'auth_token'
  | 'from'
  | 'messaging_service_sid'
  | 'agent_id'
  | 'client_token'
  | 'service_account';

interface CredentialSpec {
  name: CredentialName;
  /** Shown as dots (tokens, secrets). */
  secret?: boolean;
  /** Not needed on creation (or one of an alternative). */
  optional?: boolean;
  /** A pasted JSON key file. */
  multiline?: boolean;
  placeholder?: string;
}

/**
 * The credentials of each type, as the server's adapters take them (server/src/channels/{whatsapp,sms,rcs}.ts). The
 * WhatsApp verify token is typed in plain text: the business enters the same text in Meta's dashboard.
 */
export const CREDENTIALS: Record<ProviderType, readonly CredentialSpec[]> = {
  whatsapp: [
    { name: 'phone_number_id', placeholder: '106540352242922' },
    { name: 'access_token', secret: true },
    { name: 'app_secret', secret: true },
    { name: 'verify_token' },
    { name: 'api_version', optional: true, placeholder: 'v21.0' },
  ],
  sms: [
    { name: 'account_sid', placeholder: 'AC…' },
    { name: 'auth_token', secret: true },
    { name: 'from', optional: true, placeholder: '+33612345678' },
    { name: 'messaging_service_sid', optional: true, placeholder: 'MG…' },
  ],
  rcs: [
    { name: 'agent_id' },
    { name: 'client_token', secret: true },
    { name: 'service_account', optional: true, multiline: true, placeholder: '{ "type": "service_account", … }' },
    { name: 'access_token', secret: true, optional: true },
  ],
};

export const RCS_AUTHS: readonly RcsAuth[] = ['service_account', 'access_token'];

export const isProvider = (type: string): type is ProviderType => (PROVIDER_TYPES as readonly string[]).includes(type);

/**
 * The `credentials` object to send: the type's fields that were typed, trimmed (a token never ends with a space, a
 * paste often does). With `rcsAuth`, only that one of RCS's alternatives goes.
 */
export function credentialsBody(
  type: ProviderType,
  values: Readonly<Record<string, string>>,
  rcsAuth?: RcsAuth,
): Record<string, string> {
  const body: Record<string, string> = {};
  for (const spec of CREDENTIALS[type]) {
    if (
      type === 'rcs' &&
      rcsAuth !== undefined &&
      (RCS_AUTHS as readonly string[]).includes(spec.name) &&
      spec.name !== rcsAuth
    )
      continue;
    const value = (values[spec.name] ?? '').trim();
    if (value !== '') body[spec.name] = value;
  }
  return body;
}

/** A whole number when the text is one; otherwise the text, so that the API names the field and says what it expects. */
function rateValue(text: string): number | string {
  const number = Number(text);
  return Number.isFinite(number) ? number : text;
}

export interface ChannelDraft {
  type: ProviderType;
  websiteId: number | null;
  name: string;
  baseUrl: string;
  sendRate: string;
  credentials: Readonly<Record<string, string>>;
  rcsAuth: RcsAuth;
}

/** The body of POST /channel: empty optional fields are left out so that the server's defaults apply. */
export function createBody(draft: ChannelDraft): Record<string, unknown> {
  return {
    type: draft.type,
    ...(draft.websiteId !== null && { website_id: draft.websiteId }),
    ...(draft.name.trim() !== '' && { name: draft.name.trim() }),
    ...(draft.baseUrl.trim() !== '' && { base_url: draft.baseUrl.trim() }),
    ...(draft.sendRate.trim() !== '' && { send_rate: rateValue(draft.sendRate.trim()) }),
    credentials: credentialsBody(draft.type, draft.credentials, draft.rcsAuth),
  };
}

/** The body of PUT /channel/{id}: only what was typed (credentials are merged field by field by the server); null when nothing was. */
export function updateBody(
  type: ProviderType,
  draft: Pick<ChannelDraft, 'name' | 'baseUrl' | 'sendRate' | 'credentials'>,
): Record<string, unknown> | null {
  const credentials = credentialsBody(type, draft.credentials);
  const body = {
    ...(draft.name.trim() !== '' && { name: draft.name.trim() }),
    ...(draft.baseUrl.trim() !== '' && { base_url: draft.baseUrl.trim() }),
    ...(draft.sendRate.trim() !== '' && { send_rate: rateValue(draft.sendRate.trim()) }),
    ...(Object.keys(credentials).length > 0 && { credentials }),
  };
  return Object.keys(body).length === 0 ? null : body;
}

export interface ChannelRow {
  id: number;
  type: string;
  name?: string;
  website_id?: number;
  base_url?: string;
  send_rate?: number;
  enabled?: boolean;
  credentials_set?: string[];
  webhook_url?: string | null;
}

export interface WebsiteRow {
  id: number;
  url: string;
  label?: string | null;
}

/** The base URL and send rate a channel of a type gets when its form leaves them empty: the server's, not a copy. */
export interface ChannelDefaults {
  baseUrl: string;
  sendRate: number;
}

const FULL = { full: '1', limit: 100 } as const;
export const loadChannels = async (api: Api): Promise<ChannelRow[]> =>
  withFields(await dataOf(api.GET('/api/2/channel', { params: { query: FULL } })), ['type']);
export const loadWebsites = async (api: Api): Promise<WebsiteRow[]> =>
  withFields(await dataOf(api.GET('/api/2/website', { params: { query: FULL } })), ['url']);
export const loadChannelTypes = async (api: Api) => dataOf(api.GET('/api/2/channel_type', {}));

/** The defaults of a type among the listed ones; undefined until they are loaded. */
export function defaultsOf(
  types: readonly { type: string; default_base_url: string; default_send_rate: number }[] | null,
  type: ProviderType,
): ChannelDefaults | undefined {
  const found = types?.find((row) => row.type === type);
  return found === undefined ? undefined : { baseUrl: found.default_base_url, sendRate: found.default_send_rate };
}
