// The Apps pages' calls with the admin's console session: the marketplace, the wizard's step checks, installing,
// the installations and uninstalling (docs/APPS.md, "Marketplace and installations").
import type { Api } from '../api';
import { dataOf, unwrap } from '../api';
import type { FieldStepName, Installation, MarketplaceApp } from './logic';

export const listMarketplace = async (api: Api): Promise<MarketplaceApp[]> =>
  await dataOf(api.GET('/api/2/marketplace', {}));

export const listInstallations = async (api: Api): Promise<Installation[]> =>
  await dataOf(api.GET('/api/2/installation', {}));

export interface Website {
  id: number;
  label: string;
}

/** The account's websites, named by their label or else their address. */
export async function listWebsites(api: Api): Promise<Website[]> {
  const rows = await dataOf(api.GET('/api/2/website', { params: { query: { full: '1', limit: 100 } } }));
  return rows.map((row) => ({ id: row.id, label: row.label || row.url || `#${row.id}` }));
}

type Values = Record<string, string | number | boolean>;

/** Checks one step's values with the app's connector: resolves when accepted, throws the 422 or 502 otherwise. */
export async function verifyStep(api: Api, appId: number, step: FieldStepName, values: Values): Promise<void> {
  await unwrap(api.POST('/api/2/installation/verification', { body: { app_id: appId, step, values } }));
}

export async function install(
  api: Api,
  body: { app_id: number; website_id: number[]; authentication: Values; settings: Values },
): Promise<Installation> {
  return await dataOf(api.POST('/api/2/installation', { body }));
}

export async function uninstall(api: Api, id: number): Promise<void> {
  await unwrap(api.DELETE('/api/2/installation/{id}', { params: { path: { id } } }));
}
