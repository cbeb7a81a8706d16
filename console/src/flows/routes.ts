// The Flows pages' paths under /admin/ (in the first load, so the shell routes to the page it loads on demand).

export type FlowsRoute = { view: 'list' } | { view: 'editor'; flowId: number } | { view: 'runs' } | { view: 'charges' };

/** The Flows page a console path (without `/admin/`) names; null for any other path. */
export function flowsRouteOf(rest: string): FlowsRoute | null {
  if (rest === 'flows') return { view: 'list' };
  if (rest === 'flows/runs') return { view: 'runs' };
  if (rest === 'flows/charges') return { view: 'charges' };
  const editor = /^flows\/(\d+)$/.exec(rest);
  return editor?.[1] ? { view: 'editor', flowId: Number(editor[1]) } : null;
}
