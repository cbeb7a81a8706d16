// What the developer platform's route files share (routes.ts registers them): the OpenAPI tags, the platform admin's
// gate, and an app's answer with its published version.
import { secretsKey } from '../../channels/secrets.js';
import type { AppContext } from '../../context.js';
import { notPermitted } from '../../errors.js';
import type { Principal } from '../tenancy/policy.js';
import { loadApp, versionsById } from './apps.js';
import { presentApp } from './present.js';

export const APPS = ['App'];
export const INSTALLATIONS = ['Marketplace'];

export function platformOnly(principal: Principal, what: string): void {
  if (principal.scope !== 'platform') throw notPermitted(`Only the platform admin key can ${what}.`);
}

/** An app as its developer (or the platform admin) reads it, with its published version. */
export async function appAnswer(context: AppContext, principal: Principal, id: number) {
  const row = await loadApp(context.db, principal, id);
  const published =
    row.published_version_id === null
      ? undefined
      : (await versionsById(context.db, [row.published_version_id])).get(row.published_version_id);
  return presentApp(row, published, secretsKey(context.config));
}
