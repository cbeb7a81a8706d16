// The developer area's paths under /admin/ (in the first load, so the shell routes to the area it loads on demand).
// Developers reach it by URL (their invitation link, then the login page): operators get no link to it.

export type DeveloperRoute =
  | { view: 'activate' }
  | { view: 'login' }
  | { view: 'apps' }
  | { view: 'new' }
  | { view: 'app'; id: number };

/** The developer area's page a console path (without `/admin/`) names; null for any other path. */
export function developerRouteOf(rest: string): DeveloperRoute | null {
  if (rest === 'developer' || rest === 'developer/apps') return { view: 'apps' };
  if (rest === 'developer/activate') return { view: 'activate' };
  if (rest === 'developer/login') return { view: 'login' };
  if (rest === 'developer/apps/new') return { view: 'new' };
  const app = /^developer\/apps\/(\d+)$/.exec(rest);
  return app?.[1] ? { view: 'app', id: Number(app[1]) } : null;
}
