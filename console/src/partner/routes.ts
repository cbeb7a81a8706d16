// The partner area's and the chat environments' paths under /admin/ (in the first load, so the shell routes to the
// pages it loads on demand).

export type PartnerRoute =
  | { view: 'companies' }
  | { view: 'company'; id: number }
  | { view: 'accounts' }
  | { view: 'account'; id: number }
  | { view: 'verification' }
  | { view: 'developers' }
  | { view: 'apps'; id: number | null };

/** The partner area's page a console path (without `/admin/`) names; null for any other path. */
export function partnerRouteOf(rest: string): PartnerRoute | null {
  if (rest === 'partner' || rest === 'partner/companies') return { view: 'companies' };
  if (rest === 'partner/accounts') return { view: 'accounts' };
  if (rest === 'partner/verification') return { view: 'verification' };
  if (rest === 'partner/developers') return { view: 'developers' };
  if (rest === 'partner/apps') return { view: 'apps', id: null };
  const app = /^partner\/apps\/(\d+)$/.exec(rest);
  if (app?.[1]) return { view: 'apps', id: Number(app[1]) };
  const detail = /^partner\/(companies|accounts)\/(\d+)$/.exec(rest);
  if (!detail?.[2]) return null;
  return detail[1] === 'companies'
    ? { view: 'company', id: Number(detail[2]) }
    : { view: 'account', id: Number(detail[2]) };
}

export type EnvironmentsRoute = { view: 'list' } | { view: 'environment'; id: number };

/** The chat environments page (an admin's, in the operator console) a path names; null for any other path. */
export function environmentsRouteOf(rest: string): EnvironmentsRoute | null {
  if (rest === 'environments') return { view: 'list' };
  const detail = /^environments\/(\d+)$/.exec(rest);
  return detail?.[1] ? { view: 'environment', id: Number(detail[1]) } : null;
}
