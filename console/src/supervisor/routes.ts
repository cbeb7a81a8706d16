// The supervisor page's path under /admin/ (in the first load, so the shell routes to the page it loads on demand),
// and its navigation label, kept here so the first load's dictionary does not grow for one word.

/** True for the supervisor page's path (without `/admin/`). */
export const isSupervisorPath = (rest: string): boolean => rest === 'supervisor';

export const SUPERVISOR_PATH = '/admin/supervisor';

/** The main navigation's link to the page (admins and managers only). */
export const SUPERVISOR_NAV_LABEL = { en: 'Supervisor', fr: 'Supervision' } as const;
