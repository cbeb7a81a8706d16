// How /docs (the API reference, rendered in the browser by Scalar's bundle, which the server itself serves under
// /docs/js/) is configured for a self-hosted product: nothing is fetched from another host (no web fonts, no
// telemetry, no hosted proxy), and the reference vendor's hosted-service buttons (its API client, the developer
// toolbar, the "Ask AI" panel) are hidden. The e2e test in e2e/src/defects.test.ts checks that every request stays on
// this origin.
import type { FastifyApiReferenceOptions } from '@scalar/fastify-api-reference';
import { FAVICON_PATH } from './favicon.js';

/**
 * The system's own fonts, in place of the web fonts the reference would load from its vendor; the vendor's links (its
 * "Powered by" line) hidden.
 */
const LOCAL_STYLES = `:root {
  --scalar-font: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
  --scalar-font-code: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace;
}
a[href*="scalar.com"] {
  display: none !important;
}`;

/**
 * The bundle also reads `agent.disabled` (its "Ask AI" panel, which calls the vendor's hosted service), which the
 * configuration's published type does not list yet.
 */
type ReferenceConfiguration = NonNullable<FastifyApiReferenceOptions['configuration']> & {
  agent: { disabled: boolean };
};

export const API_REFERENCE_CONFIGURATION: ReferenceConfiguration = {
  url: '/openapi.json',
  title: 'Causerie API reference',
  pageTitle: 'Causerie API reference',
  favicon: FAVICON_PATH,
  withDefaultFonts: false,
  customCss: LOCAL_STYLES,
  telemetry: false,
  hideClientButton: true,
  showDeveloperTools: 'never',
  agent: { disabled: true },
  // The "Download OpenAPI document" link stays: /openapi.json is served here.
  documentDownloadType: 'json',
};
