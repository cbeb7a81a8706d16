// The platform admin's calls of the developer platform (docs/APPS.md), sent with the platform key from the partner
// area: developers and their invitations, the apps under review with their submitted versions, and the decision.
// The pure rules of these pages (the queue's rows, the definition's sections, the refusal's checks) sit here too.
import { type CauserieClient, unwrap } from '@causerie/sdk/client';

export const listDevelopers = async (client: CauserieClient) => (await unwrap(client.GET('/api/2/developer', {}))).data;

export type Developer = Awaited<ReturnType<typeof listDevelopers>>[number];

export const inviteDeveloper = async (
  client: CauserieClient,
  body: { email: string; name: string; company?: string },
) => (await unwrap(client.POST('/api/2/developer', { body }))).data;

export type InvitedDeveloper = Awaited<ReturnType<typeof inviteDeveloper>>;

export const reinviteDeveloper = async (client: CauserieClient, id: number) =>
  (await unwrap(client.POST('/api/2/developer/{id}/invitation', { params: { path: { id } } }))).data;

/** An app as the review lists show it (the list types every field optional: `full=1` asks for all of them). */
export interface ListedApp {
  id: number;
  name: string;
  developerId: number | null;
  publishedVersion: string | null;
}

export async function listAppsWithStatus(
  client: CauserieClient,
  status: 'under_review' | 'published',
): Promise<ListedApp[]> {
  const { data } = await unwrap(
    client.GET('/api/2/app', { params: { query: { full: '1', limit: 100, 'filters[status]': status } } }),
  );
  return data.map((app) => ({
    id: app.id ?? 0,
    name: app.name ?? '',
    developerId: app.developer_id ?? null,
    publishedVersion: app.published_version?.version ?? null,
  }));
}

export const listVersions = async (client: CauserieClient, id: number) =>
  (await unwrap(client.GET('/api/2/app/{id}/version', { params: { path: { id } } }))).data;

export type AppVersion = Awaited<ReturnType<typeof listVersions>>[number];

export type ReviewDecision = 'approved' | 'refused';

export const reviewApp = async (client: CauserieClient, id: number, decision: ReviewDecision, reason: string) =>
  (
    await unwrap(
      client.POST('/api/2/app/{id}/review', {
        params: { path: { id } },
        body: decision === 'refused' ? { decision, reason } : { decision },
      }),
    )
  ).data;

/** The form a developer is invited with: blank company left out; email and name sent trimmed for the server to judge. */
export function invitationBody(typed: { email: string; name: string; company: string }) {
  const company = typed.company.trim();
  return { email: typed.email.trim(), name: typed.name.trim(), ...(company !== '' && { company }) };
}

/**
 * The version a review page shows: the one under review (the decision is about it); else the published one (a
 * published app opened from its list, even when a later version was refused); else the newest (versions come newest
 * first).
 */
export function versionUnderReview<V extends { status: string }>(versions: readonly V[]): V | null {
  return (
    versions.find((version) => version.status === 'under_review') ??
    versions.find((version) => version.status === 'published') ??
    versions[0] ??
    null
  );
}

/** A developer's name for the queue: their name and company, or their id when the list does not hold them. */
export function developerLabel(
  developers: readonly { id: number; name: string; company?: string | null }[],
  id: number | null | undefined,
): string {
  const developer = developers.find((candidate) => candidate.id === id);
  if (developer === undefined) return `#${id ?? '?'}`;
  return developer.company ? `${developer.name} (${developer.company})` : developer.name;
}

export interface InteractionLine {
  name: 'product_list' | 'visitor_profile' | 'conversation_closing';
  urls: string[];
}

/** The interactions a definition declares, in the seed's order, each with its URLs. */
export function interactionLines(interactions: {
  product_list?: { catalogue_url: string; categories_url: string } | null;
  visitor_profile?: { url: string } | null;
  conversation_closing?: { url: string } | null;
}): InteractionLine[] {
  const lines: InteractionLine[] = [];
  if (interactions.product_list)
    lines.push({
      name: 'product_list',
      urls: [interactions.product_list.catalogue_url, interactions.product_list.categories_url],
    });
  if (interactions.visitor_profile) lines.push({ name: 'visitor_profile', urls: [interactions.visitor_profile.url] });
  if (interactions.conversation_closing)
    lines.push({ name: 'conversation_closing', urls: [interactions.conversation_closing.url] });
  return lines;
}

export const getApp = async (client: CauserieClient, id: number) =>
  (await unwrap(client.GET('/api/2/app/{id}', { params: { path: { id } } }))).data;

/** A row of the review queue: the app, its developer's label, and the version it submitted. */
export interface QueueRow {
  id: number;
  name: string;
  developer: string;
  version: string | null;
  submittedAt: string | null;
}

/** The review queue's rows, oldest submission first (first come, first reviewed). */
export function queueRows(
  apps: readonly Pick<ListedApp, 'id' | 'name' | 'developerId'>[],
  developers: readonly { id: number; name: string; company?: string | null }[],
  versionsOf: ReadonlyMap<number, readonly { version: string; status: string; submitted_at: string }[]>,
): QueueRow[] {
  return apps
    .map((app) => {
      const version = versionUnderReview(versionsOf.get(app.id) ?? []);
      return {
        id: app.id,
        name: app.name,
        developer: developerLabel(developers, app.developerId),
        version: version?.version ?? null,
        submittedAt: version?.submitted_at ?? null,
      };
    })
    .sort((a, b) => (a.submittedAt ?? '').localeCompare(b.submittedAt ?? '') || a.id - b.id);
}
