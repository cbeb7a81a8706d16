// The postMessage vocabulary between the loader (on the site's page) and the iframe app (on the Causerie origin).

/** Every bridge message carries this marker, so other scripts' messages are ignored. */
export const BRIDGE = 'causerie';

/** The visitor identity a site's server signed (see docs/REALTIME.md, identity verification). */
export interface IdentityClaim {
  external_id: string;
  email?: string;
  hash: string;
}

/** What the page tells for targeting (docs/TARGETING.md): declared by the site, or read from the page. */
export interface PageContext {
  /** `Causerie.setContext({ page_type })`: the kind of page (product, cart…). */
  page_type?: string;
  /** `Causerie.setContext({ cart_amount })`: the cart's amount. */
  cart_amount?: number;
  referrer?: string;
  /** The page's width in CSS pixels (device class). */
  width?: number;
}

/** Page → iframe. */
export type ToFrame =
  | {
      causerie: typeof BRIDGE;
      type: 'init';
      page: string;
      identity: IdentityClaim | null;
      open: boolean;
      context: PageContext;
    }
  | { causerie: typeof BRIDGE; type: 'page'; page: string }
  | { causerie: typeof BRIDGE; type: 'context'; context: PageContext }
  | { causerie: typeof BRIDGE; type: 'accept' }
  | { causerie: typeof BRIDGE; type: 'open' }
  | { causerie: typeof BRIDGE; type: 'close' }
  | { causerie: typeof BRIDGE; type: 'identify'; identity: IdentityClaim };

/** Iframe → page. */
export type ToPage =
  | { causerie: typeof BRIDGE; type: 'ready' }
  | { causerie: typeof BRIDGE; type: 'close' }
  | { causerie: typeof BRIDGE; type: 'unread'; count: number }
  /** What targeting shows: the button, and an invitation's text (null: none). */
  | { causerie: typeof BRIDGE; type: 'display'; button: boolean; invitation: string | null }
  | { causerie: typeof BRIDGE; type: 'event'; name: string; data: unknown };

/** True for an object that looks like a bridge message of the given side (the shape is checked by the receiver). */
export function isBridgeMessage(value: unknown): value is { causerie: string; type: string } {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as { causerie?: unknown }).causerie === BRIDGE &&
    typeof (value as { type?: unknown }).type === 'string'
  );
}
