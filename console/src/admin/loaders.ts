// The administration's lists, loaded whole (the console's tables show up to 100 rows) for its tabs and editors.
import { type Api, dataOf, withFields } from '../api';

const FULL = { full: '1', limit: 100 } as const;
export const loadOperators = async (api: Api) =>
  withFields(await dataOf(api.GET('/api/2/operator', { params: { query: FULL } })), ['name', 'email', 'roles']);
export const loadWebsites = async (api: Api) =>
  withFields(await dataOf(api.GET('/api/2/website', { params: { query: FULL } })), ['url']);
export const loadGroups = async (api: Api) =>
  withFields(await dataOf(api.GET('/api/2/group', { params: { query: FULL } })), ['name']);
export const loadSkills = async (api: Api) =>
  withFields(await dataOf(api.GET('/api/2/skill', { params: { query: FULL } })), ['name']);
export const loadKeys = async (api: Api) => dataOf(api.GET('/api/2/key', { params: { query: FULL } }));
