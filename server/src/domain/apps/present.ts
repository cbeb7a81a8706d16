// Rows → API shapes of the developer platform. Secrets never leave: PASSWORD values, sealed webhook tokens (the app's
// own token is shown to its developer only, opened here).
import { openText } from '../../channels/secrets.js';
import type { AppInstallationRow, AppRow, AppVersionRow, AppWebhookRow, DeveloperRow } from '../../db/schema.js';
import { formatDateTime } from '../../time.js';
import { link } from '../tenancy/present.js';
import { appWebhookBinding } from './apps.js';
import { type AppDefinition, type AppDraft, readDefinition, readDraft } from './definition.js';
import type { MarketplaceEntry } from './installations.js';
import { openSigningSecret } from './signing.js';

const INTERACTION_NAMES = ['product_list', 'visitor_profile', 'conversation_closing'] as const;

export function interactionsOf(draft: Pick<AppDraft, 'interactions'>) {
  return INTERACTION_NAMES.filter((name) => draft.interactions[name] !== null);
}

export function presentDeveloper(row: DeveloperRow, invitation?: { token: string; link: string; expiresAt: string }) {
  return {
    id: row.id,
    email: row.email,
    name: row.name,
    company: row.company,
    state:
      row.disabled_at !== null
        ? ('disabled' as const)
        : row.activated_at !== null
          ? ('active' as const)
          : ('invited' as const),
    ...(invitation !== undefined && {
      invitation: { token: invitation.token, link: invitation.link, expires_at: formatDateTime(invitation.expiresAt) },
    }),
    created_at: formatDateTime(row.created_at),
    _link: link('developer', row.id),
  };
}

export function presentApp(row: AppRow, published: AppVersionRow | undefined, key: Buffer) {
  const draft = readDraft(row.draft);
  const signingSecret = openSigningSecret(key, row.id, row.signing_secret);
  return {
    id: row.id,
    connector_id: row.uuid,
    developer_id: row.developer_id,
    name: row.name,
    status: row.status,
    description: draft.description,
    logo_url: draft.logo_url,
    links: draft.links,
    price: draft.price,
    privacy: draft.privacy,
    client_ids: draft.client_ids,
    authentication: draft.authentication,
    settings: draft.settings,
    interactions: draft.interactions,
    published_version:
      published === undefined
        ? null
        : { id: published.id, version: published.version, connector_version_id: published.uuid },
    review_reason: row.review_reason,
    ...(signingSecret !== undefined && { signing_secret: signingSecret }),
    created_at: formatDateTime(row.created_at),
    updated_at: formatDateTime(row.updated_at),
    _link: link('app', row.id),
  };
}

export function presentAppWebhook(row: AppWebhookRow, key: Buffer) {
  return {
    id: row.id,
    app_id: row.app_id,
    name: row.name,
    url: row.url,
    content_type: row.content_type,
    events: JSON.parse(row.events) as string[],
    security_token: openText(key, appWebhookBinding(row.id), row.secret),
    created_at: formatDateTime(row.created_at),
    updated_at: formatDateTime(row.updated_at),
  };
}

export function presentVersion(row: AppVersionRow) {
  const definition: AppDefinition = readDefinition(row.definition);
  return {
    id: row.id,
    app_id: row.app_id,
    version: row.version,
    connector_version_id: row.uuid,
    status: row.status,
    review_reason: row.review_reason,
    submitted_at: formatDateTime(row.submitted_at),
    reviewed_at: row.reviewed_at === null ? null : formatDateTime(row.reviewed_at),
    name: definition.name,
    description: definition.description,
    price: definition.price,
    privacy: definition.privacy,
    authentication: definition.authentication,
    settings: definition.settings,
    interactions: definition.interactions,
    webhooks: definition.webhooks.map(({ name, url, content_type, events }) => ({ name, url, content_type, events })),
  };
}

export function presentMarketplaceEntry(
  entry: MarketplaceEntry,
  developer: string,
  installationId: number | undefined,
) {
  const { app, version, definition } = entry;
  return {
    id: app.id,
    connector_id: app.uuid,
    name: definition.name,
    description: definition.description,
    logo_url: definition.logo_url,
    links: definition.links,
    price: definition.price,
    developer,
    version: version.version,
    connector_version_id: version.uuid,
    authentication: { fields: definition.authentication.fields },
    settings: { fields: definition.settings.fields },
    interactions: interactionsOf(definition),
    installation_id: installationId ?? null,
  };
}

export function presentInstallation(
  row: AppInstallationRow,
  app: Pick<AppRow, 'uuid'>,
  version: AppVersionRow,
  values: Record<string, string>,
) {
  const definition = readDefinition(version.definition);
  const secret = new Set(
    [...definition.authentication.fields, ...definition.settings.fields]
      .filter((field) => field.type === 'PASSWORD')
      .map((field) => field.id),
  );
  return {
    id: row.id,
    client_id: row.client_id,
    app_id: row.app_id,
    app_name: definition.name,
    version: version.version,
    connector_id: app.uuid,
    connector_version_id: version.uuid,
    website_id: JSON.parse(row.website_ids) as number[],
    values: Object.fromEntries(Object.entries(values).filter(([id]) => !secret.has(id))),
    interactions: interactionsOf(definition),
    created_at: formatDateTime(row.created_at),
    _link: link('installation', row.id),
  };
}
