// The administration's tab row, shared by its own tabs (AdminView) and by the administration pages that load on demand
// (canned responses, tags, chat environments): grouping them here keeps the header on one line in French at 1280 px.
import { CANNED_NAV_LABEL, CANNED_PATH } from '../canned/routes';
import { type MessageKey, useI18n } from '../i18n';
import { navigate } from '../router';
import { TAGS_NAV_LABEL } from '../tags/routes';

export const ADMIN_TABS = [
  'operators',
  'groups',
  'skills',
  'websites',
  'channels',
  'targeting',
  'keys',
  'webhooks',
] as const;
export type AdminTab = (typeof ADMIN_TABS)[number];

/** Every page of the administration area: its own tabs and the pages that load on demand. */
export type AdminArea = AdminTab | 'canned' | 'tags' | 'environments';

/** The pages outside AdminView that belong to the administration, with who may open them. */
const EXTRA_AREAS = ['canned', 'tags', 'environments'] as const;

export function AdminTabs({ current, isAdmin }: { current: AdminArea; isAdmin: boolean }) {
  const { t, language } = useI18n();
  const labelOf = (area: (typeof EXTRA_AREAS)[number]): string =>
    area === 'canned' ? CANNED_NAV_LABEL[language] : area === 'tags' ? TAGS_NAV_LABEL[language] : t('nav.environments');
  const pathOf = (area: (typeof EXTRA_AREAS)[number]): string => (area === 'canned' ? CANNED_PATH : `/admin/${area}`);
  // Canned responses are every manager's (shared ones are an admin's to edit); tags and environments are an admin's.
  const extras = EXTRA_AREAS.filter((area) => area === 'canned' || isAdmin).map((area) => ({
    key: area,
    path: pathOf(area),
    label: labelOf(area),
  }));
  const tabs = [
    ...ADMIN_TABS.map((name) => ({ key: name, path: `/admin/${name}`, label: t(`admin.${name}` as MessageKey) })),
    ...extras,
  ];
  return (
    <nav className="admin-tabs" aria-label={t('nav.admin')}>
      {tabs.map((tab) => (
        <a
          key={tab.key}
          href={tab.path}
          className={current === tab.key ? 'tab active' : 'tab'}
          aria-current={current === tab.key ? 'page' : undefined}
          onClick={(event) => {
            event.preventDefault();
            navigate(tab.path);
          }}
        >
          {tab.label}
        </a>
      ))}
    </nav>
  );
}
