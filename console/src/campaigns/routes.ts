// The Campaigns pages' paths under /admin/ (in the first load, so the shell routes to the page it loads on demand).

export type CampaignsRoute = { view: 'list' } | { view: 'new' } | { view: 'campaign'; id: number };

/** The Campaigns page a console path (without `/admin/`) names; null for any other path. */
export function campaignsRouteOf(rest: string): CampaignsRoute | null {
  if (rest === 'campaigns') return { view: 'list' };
  if (rest === 'campaigns/new') return { view: 'new' };
  const detail = /^campaigns\/(\d+)$/.exec(rest);
  return detail?.[1] ? { view: 'campaign', id: Number(detail[1]) } : null;
}
