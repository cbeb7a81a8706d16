// The console shell: language, session, login (password and SSO with backto), and the page for the current path.
import { type FormEvent, lazy, type ReactNode, Suspense, useCallback, useEffect, useMemo, useState } from 'react';
import { ADMIN_TABS, type AdminArea, type AdminTab, AdminTabs } from './admin/AdminTabs';
import { AdminView } from './admin/AdminView';
import { AgentView } from './agent/AgentView';
import {
  dataOf,
  forgetSession,
  loadSession,
  loginWithPassword,
  loginWithSsoKey,
  logout,
  type Session,
  sessionApi,
} from './api';
import { APPS_NAV_LABEL, type AppsRoute, appsRouteOf } from './apps/routes';
import { safeBackto } from './backto';
import { type CampaignsRoute, campaignsRouteOf } from './campaigns/routes';
import { CANNED_NAV_LABEL, CANNED_PATH, isCannedPath } from './canned/routes';
import { CONTACTS_NAV_LABEL, CONTACTS_PATH, contactsRouteOf } from './contacts/routes';
import { type DeveloperRoute, developerRouteOf } from './developer/routes';
import { type FlowsRoute, flowsRouteOf } from './flows/routes';
import { I18nContext, initialLanguage, type Language, rememberLanguage, translator, useI18n } from './i18n';
import type { Me } from './me';
import { type EnvironmentsRoute, environmentsRouteOf, type PartnerRoute, partnerRouteOf } from './partner/routes';
import { navigate, useLocation } from './router';
import { isSupervisorPath, SUPERVISOR_NAV_LABEL, SUPERVISOR_PATH } from './supervisor/routes';
import { isTagsPath } from './tags/routes';
import { type TemplatesRoute, templatesRouteOf } from './templates/routes';
import { messageOf } from './ui';

/** The reports page and its chart library load only when it is opened: the agent's daily console does not carry them. */
const ReportsPage = lazy(() => import('./reports/ReportsPage').then((module) => ({ default: module.ReportsPage })));
/** The Flows pages (admins) likewise. */
const FlowsPage = lazy(() => import('./flows/FlowsPage').then((module) => ({ default: module.FlowsPage })));
/** The partner area (signed in with a partner or platform key, no operator session) and the chat environments too. */
const PartnerArea = lazy(() => import('./partner/PartnerArea').then((module) => ({ default: module.PartnerArea })));
/** The Campaigns pages (broadcasts), an admin's. */
const CampaignsPage = lazy(() =>
  import('./campaigns/CampaignsPage').then((module) => ({ default: module.CampaignsPage })),
);
/** The message template editor, in the Campaigns area. */
const TemplatesPage = lazy(() =>
  import('./templates/TemplatesPage').then((module) => ({ default: module.TemplatesPage })),
);
/** The Apps pages (marketplace, install wizard), an admin's. */
const AppsPage = lazy(() => import('./apps/AppsPage').then((module) => ({ default: module.AppsPage })));
/** The contacts page (every operator's: they name and merge the people they talk to). */
const ContactsPage = lazy(() => import('./contacts/ContactsPage').then((module) => ({ default: module.ContactsPage })));
const TagsPage = lazy(() => import('./tags/TagsPage').then((module) => ({ default: module.TagsPage })));
/** The developer area (a developer's own sign-in, no operator session): reached by URL, no link for operators. */
const DeveloperArea = lazy(() =>
  import('./developer/DeveloperArea').then((module) => ({ default: module.DeveloperArea })),
);
/** The canned responses page (every operator's personal ones, the shared ones for admins). */
const CannedPage = lazy(() => import('./canned/CannedPage').then((module) => ({ default: module.CannedPage })));
/** The supervisor view (admins and managers): every waiting and open conversation, each operator's load. */
const SupervisorPage = lazy(() =>
  import('./supervisor/SupervisorPage').then((module) => ({ default: module.SupervisorPage })),
);
const EnvironmentsPage = lazy(() =>
  import('./partner/EnvironmentsPage').then((module) => ({ default: module.EnvironmentsPage })),
);

type Page =
  | { kind: 'login' }
  | { kind: 'agent'; conversationId: number | null }
  | { kind: 'admin'; tab: AdminTab }
  | { kind: 'reports' }
  | { kind: 'flows'; route: FlowsRoute }
  | { kind: 'partner'; route: PartnerRoute }
  | { kind: 'developer'; route: DeveloperRoute }
  | { kind: 'environments'; route: EnvironmentsRoute }
  | { kind: 'campaigns'; route: CampaignsRoute }
  | { kind: 'templates'; route: TemplatesRoute }
  | { kind: 'apps'; route: AppsRoute }
  | { kind: 'canned' }
  | { kind: 'tags' }
  | { kind: 'contacts'; contactId: number | null }
  | { kind: 'supervisor' }
  | { kind: 'missing' };

/** Seed 003's `/pupitre` (discussion panel) and `/users` are pages of the console. */
function pageOf(path: string): Page {
  const rest = path.replace(/^\/admin\/?/, '').replace(/\/$/, '');
  if (rest === 'login') return { kind: 'login' };
  if (rest === '' || rest === 'pupitre' || rest === 'conversations') return { kind: 'agent', conversationId: null };
  const conversation = /^conversations\/(\d+)$/.exec(rest);
  if (conversation?.[1]) return { kind: 'agent', conversationId: Number(conversation[1]) };
  if (rest === 'users') return { kind: 'admin', tab: 'operators' };
  if (rest === 'reports') return { kind: 'reports' };
  if (isSupervisorPath(rest)) return { kind: 'supervisor' };
  if (isTagsPath(rest)) return { kind: 'tags' };
  const contacts = contactsRouteOf(rest);
  if (contacts !== null) return { kind: 'contacts', contactId: contacts.contactId };
  const flows = flowsRouteOf(rest);
  if (flows !== null) return { kind: 'flows', route: flows };
  const partner = partnerRouteOf(rest);
  if (partner !== null) return { kind: 'partner', route: partner };
  const developer = developerRouteOf(rest);
  if (developer !== null) return { kind: 'developer', route: developer };
  const environments = environmentsRouteOf(rest);
  if (environments !== null) return { kind: 'environments', route: environments };
  const templates = templatesRouteOf(rest);
  if (templates !== null) return { kind: 'templates', route: templates };
  const campaigns = campaignsRouteOf(rest);
  if (campaigns !== null) return { kind: 'campaigns', route: campaigns };
  const apps = appsRouteOf(rest);
  if (apps !== null) return { kind: 'apps', route: apps };
  if (isCannedPath(rest)) return { kind: 'canned' };
  const tab = ADMIN_TABS.find((name) => name === rest);
  if (tab !== undefined) return { kind: 'admin', tab };
  return { kind: 'missing' };
}

export function App() {
  const [language, setLanguageState] = useState<Language>(initialLanguage);
  const i18n = useMemo(
    () => ({
      language,
      t: translator(language),
      setLanguage: (next: Language) => {
        rememberLanguage(next);
        setLanguageState(next);
      },
    }),
    [language],
  );
  useEffect(() => {
    document.documentElement.lang = language;
  }, [language]);
  return (
    <I18nContext.Provider value={i18n}>
      <Shell />
    </I18nContext.Provider>
  );
}

function Shell() {
  const { t } = useI18n();
  const location = useLocation();
  const [session, setSession] = useState<Session | null>(loadSession);
  const [me, setMe] = useState<Me | null>(null);
  const page = pageOf(location.path);

  const signOut = useCallback(
    (refused: boolean) => {
      const leave = () => {
        setSession(null);
        setMe(null);
        const here = `${window.location.pathname}${window.location.search}`;
        // A page's other calls are refused too: the first one sent the console to login, keeping where it was.
        if (refused && here.startsWith('/admin/login')) return;
        navigate(refused ? `/admin/login?backto=${encodeURIComponent(here)}` : '/admin/login', { replace: true });
      };
      if (refused) {
        forgetSession();
        leave();
      } else void logout(session).then(leave);
    },
    [session],
  );
  const api = useMemo(() => (session ? sessionApi(session, () => signOut(true)) : null), [session, signOut]);

  useEffect(() => {
    if (!api) return;
    let cancelled = false;
    dataOf(api.GET('/api/2/operator/{id}', { params: { path: { id: api.session.operatorId } } }))
      .then((operator) => {
        if (!cancelled)
          setMe({ id: operator.id, name: operator.pseudo || (operator.name ?? ''), roles: operator.roles ?? [] });
      })
      .catch(() => undefined);
    return () => {
      cancelled = true;
    };
  }, [api]);

  // The partner area signs in with its own key, not an operator's session.
  if (page.kind === 'partner')
    return (
      <Suspense fallback={<p className="padded">{t('common.loading')}</p>}>
        <PartnerArea route={page.route} />
      </Suspense>
    );
  if (page.kind === 'developer')
    return (
      <Suspense fallback={<p className="padded">{t('common.loading')}</p>}>
        <DeveloperArea route={page.route} />
      </Suspense>
    );
  if (page.kind === 'login' || !session || !api) {
    // A deep link opened without a session comes back to the same page after login.
    const search = location.search.toString();
    const fallback = page.kind === 'login' ? null : `${location.path}${search === '' ? '' : `?${search}`}`;
    return <LoginPage onSession={setSession} hasSession={session !== null} fallback={fallback} />;
  }
  const manages = me !== null && (me.roles.includes('admin') || me.roles.includes('manager'));
  return (
    <div className="app">
      <Header me={me} manages={manages} onLogout={() => signOut(false)} current={page.kind} />
      {page.kind === 'agent' && <AgentView api={api} me={me} selectedId={page.conversationId} />}
      {page.kind === 'admin' &&
        (me === null ? (
          <p className="padded">{t('common.loading')}</p>
        ) : manages ? (
          <AdminView api={api} tab={page.tab} isAdmin={me.roles.includes('admin')} />
        ) : (
          <p className="padded" role="alert">
            {t('common.forbidden')}
          </p>
        ))}
      {page.kind === 'reports' &&
        (me === null ? (
          <p className="padded">{t('common.loading')}</p>
        ) : manages ? (
          <Suspense fallback={<p className="padded">{t('common.loading')}</p>}>
            <ReportsPage api={api} />
          </Suspense>
        ) : (
          <p className="padded" role="alert">
            {t('common.forbidden')}
          </p>
        ))}
      {page.kind === 'flows' &&
        (me === null ? (
          <p className="padded">{t('common.loading')}</p>
        ) : me.roles.includes('admin') ? (
          <Suspense fallback={<p className="padded">{t('common.loading')}</p>}>
            <FlowsPage api={api} route={page.route} />
          </Suspense>
        ) : (
          <p className="padded" role="alert">
            {t('common.adminOnly')}
          </p>
        ))}
      {page.kind === 'environments' &&
        (me === null ? (
          <p className="padded">{t('common.loading')}</p>
        ) : me.roles.includes('admin') ? (
          <InAdminArea current="environments" me={me}>
            <EnvironmentsPage api={api} route={page.route} />
          </InAdminArea>
        ) : (
          <p className="padded" role="alert">
            {t('common.adminOnly')}
          </p>
        ))}
      {page.kind === 'campaigns' &&
        (me === null ? (
          <p className="padded">{t('common.loading')}</p>
        ) : me.roles.includes('admin') ? (
          <Suspense fallback={<p className="padded">{t('common.loading')}</p>}>
            <CampaignsPage api={api} route={page.route} />
          </Suspense>
        ) : (
          <p className="padded" role="alert">
            {t('common.adminOnly')}
          </p>
        ))}
      {page.kind === 'templates' &&
        (me === null ? (
          <p className="padded">{t('common.loading')}</p>
        ) : me.roles.includes('admin') ? (
          <Suspense fallback={<p className="padded">{t('common.loading')}</p>}>
            <TemplatesPage api={api} route={page.route} />
          </Suspense>
        ) : (
          <p className="padded" role="alert">
            {t('common.adminOnly')}
          </p>
        ))}
      {page.kind === 'apps' &&
        (me === null ? (
          <p className="padded">{t('common.loading')}</p>
        ) : me.roles.includes('admin') ? (
          <Suspense fallback={<p className="padded">{t('common.loading')}</p>}>
            <AppsPage api={api} route={page.route} />
          </Suspense>
        ) : (
          <p className="padded" role="alert">
            {t('common.adminOnly')}
          </p>
        ))}
      {page.kind === 'tags' &&
        (me === null ? (
          <p className="padded">{t('common.loading')}</p>
        ) : me.roles.includes('admin') ? (
          <InAdminArea current="tags" me={me}>
            <TagsPage api={api} />
          </InAdminArea>
        ) : (
          <p className="padded" role="alert">
            {t('common.adminOnly')}
          </p>
        ))}
      {page.kind === 'contacts' && (
        <Suspense fallback={<p className="padded">{t('common.loading')}</p>}>
          <ContactsPage api={api} contactId={page.contactId} />
        </Suspense>
      )}
      {page.kind === 'canned' &&
        (me === null ? (
          <p className="padded">{t('common.loading')}</p>
        ) : (
          <InAdminArea current="canned" me={me}>
            <CannedPage api={api} me={me} />
          </InAdminArea>
        ))}
      {page.kind === 'supervisor' &&
        (me === null ? (
          <p className="padded">{t('common.loading')}</p>
        ) : manages ? (
          <Suspense fallback={<p className="padded">{t('common.loading')}</p>}>
            <SupervisorPage api={api} me={me} />
          </Suspense>
        ) : (
          <p className="padded" role="alert">
            {t('common.forbidden')}
          </p>
        ))}
      {page.kind === 'missing' && (
        <main className="padded">
          <p>{t('common.notFound')}</p>
          <a
            href="/admin/"
            onClick={(event) => {
              event.preventDefault();
              navigate('/admin/');
            }}
          >
            {t('common.home')}
          </a>
        </main>
      )}
    </div>
  );
}

/** The pages shown under Administration (its tab row above them): the header's Administration link is active there. */
const ADMIN_AREA_PAGES: readonly Page['kind'][] = ['admin', 'canned', 'tags', 'environments'];

/**
 * A page of the administration area that loads on demand, under the administration's tab row for managers (an
 * operator, who has no administration, opens canned responses from the header and sees no tab row).
 */
function InAdminArea({ current, me, children }: { current: AdminArea; me: Me; children: ReactNode }) {
  const { t } = useI18n();
  const page = <Suspense fallback={<p className="padded">{t('common.loading')}</p>}>{children}</Suspense>;
  const manages = me.roles.includes('admin') || me.roles.includes('manager');
  if (!manages) return page;
  return (
    <div className="admin">
      <AdminTabs current={current} isAdmin={me.roles.includes('admin')} />
      {page}
    </div>
  );
}

function Header({
  me,
  manages,
  onLogout,
  current,
}: {
  me: Me | null;
  manages: boolean;
  onLogout: () => void;
  current: Page['kind'];
}) {
  const { t, language, setLanguage } = useI18n();
  const link = (path: string, label: string, active: boolean) => (
    <a
      href={path}
      className={active ? 'nav-link active' : 'nav-link'}
      aria-current={active ? 'page' : undefined}
      onClick={(event) => {
        event.preventDefault();
        navigate(path);
      }}
    >
      {label}
    </a>
  );
  return (
    <header className="topbar">
      <strong className="brand">{t('app.title')}</strong>
      <nav aria-label="Main">
        {link('/admin/', t('nav.agent'), current === 'agent')}
        {manages && link('/admin/operators', t('nav.admin'), ADMIN_AREA_PAGES.includes(current))}
        {link(CONTACTS_PATH, CONTACTS_NAV_LABEL[language], current === 'contacts')}
        {/* A manager finds canned responses under Administration; an operator, who has no administration, here. */}
        {!manages && link(CANNED_PATH, CANNED_NAV_LABEL[language], current === 'canned')}
        {manages && link('/admin/reports', t('nav.reports'), current === 'reports')}
        {manages && link(SUPERVISOR_PATH, SUPERVISOR_NAV_LABEL[language], current === 'supervisor')}
        {me?.roles.includes('admin') && link('/admin/flows', t('nav.flows'), current === 'flows')}
        {me?.roles.includes('admin') &&
          link('/admin/campaigns', t('nav.campaigns'), current === 'campaigns' || current === 'templates')}
        {me?.roles.includes('admin') && link('/admin/apps', APPS_NAV_LABEL[language], current === 'apps')}
      </nav>
      <span className="spacer" />
      <label className="inline">
        <span className="sr-only">{t('nav.language')}</span>
        <select
          value={language}
          onChange={(event) => setLanguage(event.target.value === 'fr' ? 'fr' : 'en')}
          aria-label={t('nav.language')}
        >
          <option value="en">English</option>
          <option value="fr">Français</option>
        </select>
      </label>
      {me && (
        <span className="me" data-testid="me">
          {me.name}
        </span>
      )}
      <button type="button" onClick={onLogout}>
        {t('nav.logout')}
      </button>
    </header>
  );
}

/**
 * `/admin/login`: with `?key=` (seed 003's SSO link) the key is exchanged for a session at once and removed from the
 * address bar; otherwise the email and password form. Either way `backto` decides the page opened after.
 */
function LoginPage({
  onSession,
  hasSession,
  fallback,
}: {
  onSession: (session: Session) => void;
  hasSession: boolean;
  fallback: string | null;
}) {
  const { t, language, setLanguage } = useI18n();
  const params = new URLSearchParams(window.location.search);
  const ssoKey = fallback === null ? params.get('key') : null;
  const target = safeBackto(fallback ?? params.get('backto'), window.location.origin);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(ssoKey !== null);
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');

  // biome-ignore lint/correctness/useExhaustiveDependencies: runs once per page load, as the SSO key it exchanges is consumed.
  useEffect(() => {
    if (ssoKey === null) {
      // Already logged in (another tab, or the back button): go straight on.
      if (hasSession) navigate(target, { replace: true });
      return;
    }
    // The key must not stay in the address bar or the history.
    history.replaceState(
      null,
      '',
      `/admin/login${params.has('backto') ? `?backto=${encodeURIComponent(params.get('backto') ?? '')}` : ''}`,
    );
    let cancelled = false;
    loginWithSsoKey(ssoKey)
      .then((session) => {
        if (cancelled) return;
        onSession(session);
        navigate(target, { replace: true });
      })
      .catch(() => {
        if (cancelled) return;
        setBusy(false);
        setError(t('login.ssoFailed'));
      });
    return () => {
      cancelled = true;
    };
    // Runs once per page load: the key is consumed.
  }, []);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const session = await loginWithPassword(email, password);
      onSession(session);
      navigate(target, { replace: true });
    } catch (failure) {
      setBusy(false);
      setError(messageOf(failure));
    }
  };

  return (
    <main className="login">
      <form className="card login-card" onSubmit={submit} aria-labelledby="login-title">
        <h1 id="login-title">{t('login.title')}</h1>
        {ssoKey !== null && busy ? (
          <p role="status">{t('login.sso')}</p>
        ) : (
          <>
            <label>
              {t('login.email')}
              <input
                type="email"
                name="email"
                autoComplete="username"
                required
                value={email}
                onChange={(event) => setEmail(event.target.value)}
              />
            </label>
            <label>
              {t('login.password')}
              <input
                type="password"
                name="password"
                autoComplete="current-password"
                required
                value={password}
                onChange={(event) => setPassword(event.target.value)}
              />
            </label>
            <button type="submit" className="primary" disabled={busy}>
              {t('login.submit')}
            </button>
          </>
        )}
        {error !== null && (
          <p className="error" role="alert">
            {error}
          </p>
        )}
        <select
          value={language}
          onChange={(event) => setLanguage(event.target.value === 'fr' ? 'fr' : 'en')}
          aria-label={t('nav.language')}
        >
          <option value="en">English</option>
          <option value="fr">Français</option>
        </select>
        <a
          href="/admin/partner"
          onClick={(event) => {
            event.preventDefault();
            navigate('/admin/partner');
          }}
        >
          {t('login.partner')}
        </a>
      </form>
    </main>
  );
}
