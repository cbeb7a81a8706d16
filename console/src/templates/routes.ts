// The template pages' paths, in the Campaigns area under /admin/ (in the first load, so the shell routes to the page
// it loads on demand).

export type TemplatesRoute = { view: 'list' } | { view: 'new' } | { view: 'template'; id: number };

/** The template page a console path (without `/admin/`) names; null for any other path. */
export function templatesRouteOf(rest: string): TemplatesRoute | null {
  if (rest === 'campaigns/templates') return { view: 'list' };
  if (rest === 'campaigns/templates/new') return { view: 'new' };
  const detail = /^campaigns\/templates\/(\d+)$/.exec(rest);
  return detail?.[1] ? { view: 'template', id: Number(detail[1]) } : null;
}
