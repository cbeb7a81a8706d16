// The reports page (managers and admins): filters, key figures, a chart over time, a sortable table per resource and its
// CSV, all from GET /api/2/statistic; labels and definitions come from GET /api/2/statistic/indicator.
import './reports.css';
import { type ReactNode, useEffect, useId, useMemo, useState } from 'react';
import {
  type Api,
  dataOf,
  failureId,
  getIndicatorCatalogue,
  getStatistics,
  type IndicatorInfo,
  type StatisticRow,
  withFields,
} from '../api';
import { type Language, type MessageKey, useI18n } from '../i18n';
import { ErrorLine, messageOf, UnavailableSection } from '../ui';
import {
  applicable,
  DEFAULT_TABLE_INDICATORS,
  formatValue,
  GRANULARITIES,
  type Granularity,
  HEADLINE_INDICATORS,
  NO_VALUE,
  periodRange,
  REPORT_CHANNELS,
  REPORT_PERIODS,
  REPORT_RESOURCES,
  RESOURCE_COLUMNS,
  type ReportChannel,
  type ReportPeriod,
  type ReportResource,
  type SortDirection,
  type StatisticFilters,
  sortRows,
  statisticQuery,
  toCsv,
  todayIn,
} from './report';
import { TimeChart } from './TimeChart';

interface ReportWebsite {
  id: number;
  name: string;
  currency: string;
}

async function loadWebsites(api: Api): Promise<ReportWebsite[]> {
  const rows = withFields(await dataOf(api.GET('/api/2/website', { params: { query: { full: '1', limit: 100 } } })), [
    'url',
    'currency',
  ]);
  return rows.map((row) => ({ id: row.id, name: row.label || row.url, currency: row.currency }));
}

/** The client's time zone, so that "today" is the API's today. */
async function loadTimeZone(api: Api): Promise<string | undefined> {
  const client = await dataOf(api.GET('/api/2/client/{id}', { params: { path: { id: api.session.clientId } } }));
  return client.timezone ?? undefined;
}

/** One GET /api/2/statistic kept current with its query (null: nothing to ask yet); late answers of older queries are dropped. */
function useStatistics(api: Api, query: Record<string, string> | null) {
  const key = query === null ? null : JSON.stringify(query);
  const [state, setState] = useState<{ key: string | null; rows: StatisticRow[] | null; error: string | null }>({
    key: null,
    rows: null,
    error: null,
  });
  useEffect(() => {
    if (key === null) return;
    let cancelled = false;
    getStatistics(api, JSON.parse(key) as Record<string, string>)
      .then((rows) => !cancelled && setState({ key, rows, error: null }))
      .catch((failure: unknown) => !cancelled && setState({ key, rows: null, error: messageOf(failure) }));
    return () => {
      cancelled = true;
    };
  }, [api, key]);
  const current = state.key === key;
  return {
    rows: current ? state.rows : null,
    error: current ? state.error : null,
    loading: key !== null && !current,
  };
}

/** The live channels have translated names; the messaging sources are brand names, the same in every language. */
const LIVE_CHANNELS: Partial<Record<ReportChannel, MessageKey>> = {
  chat: 'channel.chat',
  call: 'channel.call',
  video: 'channel.video',
};
const SOURCE_NAMES: Partial<Record<ReportChannel, string>> = { whatsapp: 'WhatsApp', sms: 'SMS', rcs: 'RCS' };

export function ReportsPage({ api }: { api: Api }) {
  const { t, language } = useI18n();
  const [catalogue, setCatalogue] = useState<IndicatorInfo[] | null>(null);
  const [websites, setWebsites] = useState<ReportWebsite[] | null>(null);
  const [timeZone, setTimeZone] = useState<string | undefined>(undefined);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [missing, setMissing] = useState(false);

  const [websiteIds, setWebsiteIds] = useState<number[]>([]);
  const [channel, setChannel] = useState<ReportChannel>('chat');
  const [period, setPeriod] = useState<ReportPeriod>('7days');
  const [custom, setCustom] = useState({ from: '', to: '' });
  const [resource, setResource] = useState<ReportResource>('none');
  const [columns, setColumns] = useState<readonly string[]>(DEFAULT_TABLE_INDICATORS);
  const [chartIndicator, setChartIndicator] = useState('contact_number');
  const [granularity, setGranularity] = useState<Granularity>('day');

  useEffect(() => {
    let cancelled = false;
    Promise.all([getIndicatorCatalogue(api), loadWebsites(api)])
      .then(([indicators, sites]) => {
        if (cancelled) return;
        setCatalogue(indicators);
        setWebsites(sites);
        setWebsiteIds(sites.map((site) => site.id));
      })
      .catch((failure: unknown) => {
        if (cancelled) return;
        if (failureId(failure) === 'route_not_found') setMissing(true);
        else setLoadError(messageOf(failure));
      });
    // Without the client's zone, the browser's: at worst "today" is off near midnight.
    loadTimeZone(api)
      .then((zone) => !cancelled && setTimeZone(zone))
      .catch(() => undefined);
    return () => {
      cancelled = true;
    };
  }, [api]);

  const today = todayIn(timeZone);
  const range = periodRange(period, today, custom);
  const ready = catalogue !== null && websiteIds.length > 0 && range !== null;
  const base: Omit<StatisticFilters, 'indicators' | 'resource'> | null = ready
    ? { websiteIds, channel, from: range.from, to: range.to }
    : null;

  const headlineIndicators = useMemo(
    () => applicable(catalogue ?? [], HEADLINE_INDICATORS, channel, 'none'),
    [catalogue, channel],
  );
  const tableIndicators = useMemo(
    () => applicable(catalogue ?? [], columns, channel, resource),
    [catalogue, columns, channel, resource],
  );
  const chartable = useMemo(
    () =>
      (catalogue ?? []).filter((indicator) => indicator.channels.includes(channel) && indicator.unit !== 'datetime'),
    [catalogue, channel],
  );
  const chartInfo = chartable.find((indicator) => indicator.name === chartIndicator) ?? chartable[0];
  const leftOut = columns.filter((name) => !tableIndicators.some((indicator) => indicator.name === name));

  const headline = useStatistics(
    api,
    base && headlineIndicators.length > 0
      ? statisticQuery({ ...base, resource: 'none', indicators: headlineIndicators.map((indicator) => indicator.name) })
      : null,
  );
  const chart = useStatistics(
    api,
    base && chartInfo ? statisticQuery({ ...base, resource: 'none', indicators: [chartInfo.name], granularity }) : null,
  );
  const table = useStatistics(
    api,
    base && tableIndicators.length > 0
      ? statisticQuery({ ...base, resource, indicators: tableIndicators.map((indicator) => indicator.name) })
      : null,
  );

  const selectedSites = (websites ?? []).filter((site) => websiteIds.includes(site.id));
  const currencies = new Set(selectedSites.map((site) => site.currency));
  // Amounts of websites in different currencies add up to a number without a currency.
  const currency = currencies.size === 1 ? ([...currencies][0] ?? null) : null;

  if (missing)
    return (
      <main className="reports">
        <UnavailableSection
          title={t('reports.title')}
          message={t('reports.unavailable')}
          testId="reports-unavailable"
        />
      </main>
    );

  // What the form lacks before anything can be asked, then what the API answered (its meta.message), once each.
  const missingInput = [
    websites !== null && websiteIds.length === 0 ? t('reports.noWebsite') : null,
    range === null ? t('reports.customIncomplete') : null,
    catalogue !== null && columns.length === 0 ? t('reports.noColumn') : null,
  ].filter((problem): problem is string => problem !== null);
  const failures = [...new Set([loadError, headline.error, chart.error, table.error])].filter(
    (failure): failure is string => failure !== null,
  );
  const problems = [...missingInput, ...failures];
  const loading = catalogue === null || headline.loading || chart.loading || table.loading;
  const label = (indicator: IndicatorInfo) => indicator.labels[language];
  const channelName = (name: ReportChannel) => {
    const key = LIVE_CHANNELS[name];
    return key === undefined ? (SOURCE_NAMES[name] ?? name) : t(key);
  };

  return (
    <main className="reports">
      <h1 className="reports-title">{t('reports.title')}</h1>
      <form
        className="report-filters card"
        aria-label={t('reports.filters')}
        onSubmit={(event) => event.preventDefault()}
      >
        <fieldset>
          <legend>{t('reports.websites')}</legend>
          {(websites ?? []).map((site) => (
            <label key={site.id} className="toggle">
              <input
                type="checkbox"
                name="website"
                value={site.id}
                checked={websiteIds.includes(site.id)}
                onChange={(event) =>
                  setWebsiteIds((current) =>
                    event.target.checked ? [...current, site.id] : current.filter((id) => id !== site.id),
                  )
                }
              />
              {site.name}
            </label>
          ))}
        </fieldset>
        <label>
          {t('reports.channel')}
          <select name="channel" value={channel} onChange={(event) => setChannel(event.target.value as ReportChannel)}>
            {REPORT_CHANNELS.map((name) => (
              <option key={name} value={name}>
                {channelName(name)}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t('reports.period')}
          <select
            name="period"
            value={period}
            onChange={(event) => {
              const next = event.target.value as ReportPeriod;
              // A custom period starts from the one shown, to be adjusted.
              if (next === 'custom' && range !== null && custom.from === '' && custom.to === '') setCustom(range);
              setPeriod(next);
            }}
          >
            {REPORT_PERIODS.map((name) => (
              <option key={name} value={name}>
                {t(`reports.period.${name}` as MessageKey)}
              </option>
            ))}
          </select>
        </label>
        {period === 'custom' && (
          <>
            <label>
              {t('reports.from')}
              <input
                type="date"
                name="from"
                value={custom.from}
                onChange={(event) => setCustom((current) => ({ ...current, from: event.target.value }))}
              />
            </label>
            <label>
              {t('reports.to')}
              <input
                type="date"
                name="to"
                value={custom.to}
                onChange={(event) => setCustom((current) => ({ ...current, to: event.target.value }))}
              />
            </label>
          </>
        )}
        <label>
          {t('reports.groupBy')}
          <select
            name="resource"
            value={resource}
            onChange={(event) => setResource(event.target.value as ReportResource)}
          >
            {REPORT_RESOURCES.map((name) => (
              <option key={name} value={name}>
                {t(`reports.resource.${name}` as MessageKey)}
              </option>
            ))}
          </select>
        </label>
        <ColumnPicker catalogue={catalogue ?? []} columns={columns} onChange={setColumns} language={language} />
        <div className="report-status" aria-live="polite">
          {loading && problems.length === 0 && <span className="muted">{t('reports.loading')}</span>}
        </div>
        <div className="report-errors">
          {missingInput.map((problem) => (
            <p key={problem} className="error" role="alert">
              {problem}
            </p>
          ))}
          {failures.map((failure) => (
            <ErrorLine key={failure} error={failure} />
          ))}
        </div>
      </form>

      <section aria-labelledby="report-headline" className="report-section">
        <h2 id="report-headline">{t('reports.headline')}</h2>
        <dl className="report-figures" aria-busy={headline.loading}>
          {headlineIndicators.map((indicator) => (
            <div key={indicator.name} className="report-figure card" data-indicator={indicator.name}>
              <dt>
                <Definition indicator={indicator} language={language}>
                  {label(indicator)}
                </Definition>
              </dt>
              <dd>
                {headline.rows !== null
                  ? formatCell(headline.rows[0]?.[indicator.name], indicator, language, currency)
                  : headline.loading
                    ? '…'
                    : NO_VALUE}
              </dd>
            </div>
          ))}
        </dl>
      </section>

      <section aria-labelledby="report-chart-title" className="report-section">
        <h2 id="report-chart-title">{t('reports.chart')}</h2>
        <div className="report-chart-controls">
          <label>
            {t('reports.chartIndicator')}
            <select
              name="chart-indicator"
              value={chartInfo?.name ?? ''}
              onChange={(event) => setChartIndicator(event.target.value)}
            >
              {FAMILIES.map((family) => (
                <optgroup key={family} label={t(`reports.family.${family}` as MessageKey)}>
                  {chartable
                    .filter((indicator) => indicator.family === family)
                    .map((indicator) => (
                      <option key={indicator.name} value={indicator.name}>
                        {label(indicator)}
                      </option>
                    ))}
                </optgroup>
              ))}
            </select>
          </label>
          <label>
            {t('reports.granularity')}
            <select
              name="granularity"
              value={granularity}
              onChange={(event) => setGranularity(event.target.value as Granularity)}
            >
              {GRANULARITIES.map((name) => (
                <option key={name} value={name}>
                  {t(`reports.granularity.${name}`)}
                </option>
              ))}
            </select>
          </label>
        </div>
        {chartInfo && chart.rows !== null && range !== null && (
          <>
            <TimeChart
              rows={chart.rows}
              indicator={chartInfo.name}
              label={label(chartInfo)}
              unit={chartInfo.unit}
              language={language}
              currency={currency}
              granularity={granularity}
              periodLabel={t('reports.period.column')}
              description={t('reports.chartLabel', {
                indicator: label(chartInfo),
                granularity: t(`reports.granularity.${granularity}`),
                from: range.from,
                to: range.to,
              })}
            />
            <details className="report-chart-data">
              <summary>{t('reports.chartData')}</summary>
              <table className="table">
                <thead>
                  <tr>
                    <th scope="col">{t('reports.period.column')}</th>
                    <th scope="col">{label(chartInfo)}</th>
                  </tr>
                </thead>
                <tbody>
                  {chart.rows.map((row) => (
                    <tr key={String(row.period)}>
                      <td>{row.period}</td>
                      <td className="number">{formatCell(row[chartInfo.name], chartInfo, language, currency)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </details>
          </>
        )}
      </section>

      <ReportTable
        rows={table.rows}
        loading={table.loading}
        indicators={tableIndicators}
        resource={resource}
        leftOut={leftOut}
        catalogue={catalogue ?? []}
        language={language}
        currency={currency}
        fileName={`causerie-statistics-${channel}-${resource}-${range?.from ?? ''}-${range?.to ?? ''}.csv`}
      />
    </main>
  );
}

const FAMILIES = ['contact', 'presence', 'satisfaction', 'transactions'] as const;

function formatCell(
  value: StatisticRow[string] | undefined,
  indicator: IndicatorInfo,
  language: Language,
  currency: string | null,
): string {
  return formatValue(value, indicator.unit, language, currency);
}

/**
 * An indicator's seed label with its definition in the console's language: shown on hover and on keyboard focus (a
 * tooltip), and given to screen readers as the label's description.
 */
function Definition({
  indicator,
  language,
  children,
  onActivate,
  suffix,
}: {
  indicator: IndicatorInfo;
  language: Language;
  children: ReactNode;
  onActivate?: () => void;
  suffix?: ReactNode;
}) {
  const { t } = useI18n();
  const tipId = useId();
  // Escape hides the definition until the pointer or the focus leaves (WCAG 1.4.13: dismissable without moving).
  const [dismissed, setDismissed] = useState(false);
  return (
    <span className={dismissed ? 'with-tooltip dismissed' : 'with-tooltip'}>
      <button
        type="button"
        onKeyDown={(event) => event.key === 'Escape' && setDismissed(true)}
        onMouseLeave={() => setDismissed(false)}
        onBlur={() => setDismissed(false)}
        className={onActivate ? 'header-button' : 'term-button'}
        aria-describedby={tipId}
        onClick={onActivate}
        data-indicator={indicator.name}
      >
        {children}
        {indicator.estimated && <span className="muted small"> ({t('reports.estimated')})</span>}
        {suffix}
      </button>
      <span role="tooltip" id={tipId} className="tooltip">
        <strong>{indicator.labels[language]}</strong>
        <span> — {t('reports.definition')} </span>
        {indicator.formulas[language]}
      </span>
    </span>
  );
}

function ColumnPicker({
  catalogue,
  columns,
  onChange,
  language,
}: {
  catalogue: readonly IndicatorInfo[];
  columns: readonly string[];
  onChange: (columns: readonly string[]) => void;
  language: Language;
}) {
  const { t } = useI18n();
  return (
    <details className="column-picker">
      <summary>{t('reports.columns', { count: columns.length })}</summary>
      <div className="column-families">
        {FAMILIES.map((family) => (
          <fieldset key={family}>
            <legend>{t(`reports.family.${family}` as MessageKey)}</legend>
            {catalogue
              .filter((indicator) => indicator.family === family)
              .map((indicator) => (
                <label key={indicator.name} className="toggle">
                  <input
                    type="checkbox"
                    name="column"
                    value={indicator.name}
                    checked={columns.includes(indicator.name)}
                    onChange={(event) =>
                      onChange(
                        event.target.checked
                          ? // The catalogue's order, so that columns do not move as they are picked.
                            catalogue
                              .map((each) => each.name)
                              .filter((name) => name === indicator.name || columns.includes(name))
                          : columns.filter((name) => name !== indicator.name),
                      )
                    }
                  />
                  {indicator.labels[language]}
                </label>
              ))}
          </fieldset>
        ))}
      </div>
    </details>
  );
}

function ReportTable({
  rows,
  loading,
  indicators,
  resource,
  leftOut,
  catalogue,
  language,
  currency,
  fileName,
}: {
  rows: StatisticRow[] | null;
  loading: boolean;
  indicators: readonly IndicatorInfo[];
  resource: ReportResource;
  leftOut: readonly string[];
  catalogue: readonly IndicatorInfo[];
  language: Language;
  currency: string | null;
  fileName: string;
}) {
  const { t } = useI18n();
  const [sort, setSort] = useState<{ column: string; direction: SortDirection } | null>(null);
  const grouped = resource !== 'none';
  const resourceName = t(`reports.resource.${resource}` as MessageKey);
  const sorted = rows === null ? null : sort === null ? rows : sortRows(rows, sort.column, sort.direction, language);
  // The columns of the CSV are the API's keys: the resource's, then the indicators as asked.
  const csvColumns = [...(grouped ? RESOURCE_COLUMNS : []), ...indicators.map((indicator) => indicator.name)];

  const toggle = (column: string, first: SortDirection) =>
    setSort((current) =>
      current?.column === column
        ? { column, direction: current.direction === 'ascending' ? 'descending' : 'ascending' }
        : { column, direction: first },
    );
  const ariaSort = (column: string) => (sort?.column === column ? sort.direction : ('none' as const));
  const arrow = (column: string) => (
    <span aria-hidden="true" className="sort-arrow">
      {sort?.column === column ? (sort.direction === 'ascending' ? ' ▲' : ' ▼') : ' ↕'}
    </span>
  );

  const download = () => {
    if (rows === null) return;
    // A byte-order mark, so that spreadsheets read the names' accents as UTF-8.
    const blob = new Blob(['\uFEFF', toCsv(rows, csvColumns)], { type: 'text/csv;charset=utf-8' });
    const url = URL.createObjectURL(blob);
    const link = document.createElement('a');
    link.href = url;
    link.download = fileName;
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
  };

  const leftOutLabels = leftOut.map(
    (name) => catalogue.find((indicator) => indicator.name === name)?.labels[language] ?? name,
  );
  return (
    <section aria-labelledby="report-table-title" className="report-section">
      <div className="report-table-head">
        <h2 id="report-table-title">
          {grouped ? t('reports.table', { resource: resourceName.toLowerCase() }) : t('reports.tableAll')}
        </h2>
        <button type="button" onClick={download} disabled={rows === null || indicators.length === 0}>
          {t('reports.export')}
        </button>
      </div>
      {leftOut.length > 0 && (
        <p className="muted small" data-testid="left-out">
          {t('reports.leftOut', { names: leftOutLabels.join(', ') })}
        </p>
      )}
      <div className="table-scroll">
        <table className="table report-table" aria-busy={loading} data-testid="report-table">
          <thead>
            <tr>
              <th scope="col" aria-sort={grouped ? ariaSort('resource_label') : undefined}>
                {grouped ? (
                  <button type="button" className="header-button" onClick={() => toggle('resource_label', 'ascending')}>
                    {resourceName}
                    {arrow('resource_label')}
                  </button>
                ) : (
                  <span className="sr-only">{t('reports.websites')}</span>
                )}
              </th>
              {indicators.map((indicator) => (
                <th key={indicator.name} scope="col" aria-sort={ariaSort(indicator.name)} className="number">
                  <Definition
                    indicator={indicator}
                    language={language}
                    onActivate={() => toggle(indicator.name, 'descending')}
                    suffix={arrow(indicator.name)}
                  >
                    {indicator.labels[language]}
                  </Definition>
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {sorted?.map((row, index) => (
              <tr key={grouped ? String(row.resource_id) : index}>
                <th scope="row">{grouped ? String(row.resource_label ?? row.resource_id) : t('reports.allRow')}</th>
                {indicators.map((indicator) => (
                  <td key={indicator.name} className="number" data-indicator={indicator.name}>
                    {formatCell(row[indicator.name], indicator, language, currency)}
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {sorted !== null && sorted.length === 0 && <p className="muted">{t('reports.noRows')}</p>}
    </section>
  );
}
