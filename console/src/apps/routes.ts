// The Apps area's paths under /admin/ (in the first load, so the shell routes to the page it loads on demand), and its
// navigation label, kept here so that the first load's dictionary does not grow for one word.

export type AppsRoute = { view: 'list' } | { view: 'install'; appId: number };

/** The Apps page a console path (without `/admin/`) names; null for any other path. */
export function appsRouteOf(rest: string): AppsRoute | null {
  if (rest === 'apps') return { view: 'list' };
  const install = /^apps\/(\d+)\/install$/.exec(rest);
  return install?.[1] ? { view: 'install', appId: Number(install[1]) } : null;
}

/** The main navigation's link to the area. */
export const APPS_NAV_LABEL = { en: 'Apps', fr: 'Applications' } as const;
