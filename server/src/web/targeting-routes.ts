// The widget's public targeting endpoints: GET /widget/config (a website's chat availability and its active rules with
// theirs, read once per page by the iframe, which evaluates them in the page) and POST /widget/targeting/report (batched counts).
import type { FastifyPluginAsync } from 'fastify';
import type { AppContext } from '../context.js';
import { availabilityOfRules, chatAvailability } from '../domain/targeting/availability.js';
import { parseConditions } from '../domain/targeting/conditions.js';
import { addReport, MAX_REPORT_BYTES, readReport } from '../domain/targeting/counters.js';
import { activeRulesOfWebsite } from '../domain/targeting/store.js';
import { fieldInvalid, unknownResource } from '../errors.js';
import type { RequestLimit } from '../limits/limits.js';
import { findSite } from '../realtime/identity.js';

/**
 * Reports from one address: a page reports at most every 10 seconds and when it is left, so even an office of visitors
 * behind one address stays well under this; a script inflating a website's figures is refused.
 */
export const REPORTS_PER_ADDRESS = { perSecond: 2, burst: 30 };
export const reportLimit = (address: string): RequestLimit => ({
  name: 'targeting_reports_per_address',
  key: `targeting-report:${address}`,
  rate: REPORTS_PER_ADDRESS,
  refusal: `of targeting reports from this address: at most ${REPORTS_PER_ADDRESS.burst} at once, then ${REPORTS_PER_ADDRESS.perSecond} a second`,
});

/** How long browsers and proxies may keep a website's configuration: availability is at most this stale. */
const CONFIG_MAX_AGE_SECONDS = 15;

/** Country headers set by common proxies and CDNs; the widget falls back to its language's region without one. */
const COUNTRY_HEADERS = ['cf-ipcountry', 'x-country-code', 'cloudfront-viewer-country'];

export const targetingWidgetRoutes: FastifyPluginAsync<{ context: AppContext }> = async (app, { context }) => {
  const { db } = context;

  app.get<{ Querystring: { w?: string } }>('/widget/config', { schema: { hide: true } }, async (request, reply) => {
    const text = request.query.w ?? '';
    if (!/^\d{1,10}$/.test(text) || Number(text) < 1 || Number(text) > 2_147_483_647)
      throw fieldInvalid('w', 'Expected the website identifier.');
    const site = await findSite(db, Number(text));
    if (site === undefined) throw unknownResource('website', Number(text), 'w');
    const rules = await activeRulesOfWebsite(db, site.id);
    const availability = await availabilityOfRules(db, site.id, rules);
    const chat = await chatAvailability(db, site.id);
    const country = COUNTRY_HEADERS.map((name) => request.headers[name])
      .find((value): value is string => typeof value === 'string' && /^[A-Za-z]{2}$/.test(value))
      ?.toUpperCase();
    reply.header('cache-control', `private, max-age=${CONFIG_MAX_AGE_SECONDS}`);
    return {
      website_id: site.id,
      country: country ?? null,
      // The widget's first line says whether someone can answer (docs/WIDGET.md, "Nobody available").
      availability: chat,
      rules: rules.map((rule) => ({
        id: rule.id,
        channel: rule.channel,
        priority: rule.priority,
        conditions: parseConditions(rule.conditions),
        action: rule.action,
        invitation_message: rule.invitation_message,
        invitation_delay_seconds: rule.invitation_delay_seconds,
        only_when_available: rule.only_when_available === 1,
        availability: availability.get(rule.id) ?? 'offline',
      })),
    };
  });

  // navigator.sendBeacon sends text/plain: read here as text and parsed by readReport, like a JSON body.
  app.removeContentTypeParser('text/plain');
  app.addContentTypeParser('text/plain', { parseAs: 'string', bodyLimit: MAX_REPORT_BYTES }, (_request, body, done) =>
    done(null, body),
  );
  app.post('/widget/targeting/report', { schema: { hide: true }, bodyLimit: MAX_REPORT_BYTES }, async (request) => {
    await context.limits.take([reportLimit(request.ip)]);
    const report = readReport(request.body);
    const site = await findSite(db, report.website_id);
    if (site === undefined) throw unknownResource('website', report.website_id, 'website_id');
    const counted = await addReport(db, report, new Date());
    return { meta: { status: 'success' }, data: counted };
  });
};
