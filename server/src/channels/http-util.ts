// Small helpers the provider adapters share: constant-time signature checks, JSON reading and outbound error mapping.
import { timingSafeEqual } from 'node:crypto';
import { OutboundFailed, OutboundRefused, type OutboundResponse } from '../http/outbound.js';
import type { SendOutcome } from './adapter.js';

/** Compares two signatures without leaking where they differ. */
export function sameSignature(expected: string, given: string | undefined): boolean {
  if (given === undefined) return false;
  const a = Buffer.from(expected, 'utf8');
  const b = Buffer.from(given, 'utf8');
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Parses JSON text, or undefined when it is not JSON. */
export function readJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** A plain object's field, or undefined. */
export function field(value: unknown, name: string): unknown {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)[name]
    : undefined;
}

export function text(value: unknown): string | undefined {
  return typeof value === 'string' ? value : typeof value === 'number' ? String(value) : undefined;
}

export function list(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

/** Seconds since the epoch (WhatsApp's `timestamp`) as a stored instant; now when absent. */
export function instantFromEpoch(seconds: unknown): string {
  const value = Number(text(seconds));
  return Number.isFinite(value) && value > 0 ? new Date(value * 1000).toISOString() : new Date().toISOString();
}

/** An instant from an RFC 3339 text, or now. */
export function instantFromText(value: unknown): string {
  const parsed = Date.parse(text(value) ?? '');
  return Number.isNaN(parsed) ? new Date().toISOString() : new Date(parsed).toISOString();
}

/** Runs an outbound call, turning a guard refusal or network failure into a send outcome. */
export async function guarded(
  call: () => Promise<OutboundResponse>,
): Promise<OutboundResponse | Extract<SendOutcome, { ok: false }>> {
  try {
    return await call();
  } catch (error) {
    if (error instanceof OutboundRefused)
      return {
        ok: false,
        retry: false,
        error: { code: 'outbound_refused', message: `The provider URL was refused: ${error.reason}.` },
      };
    if (error instanceof OutboundFailed)
      return {
        ok: false,
        retry: true,
        retryAfterMs: 2000,
        error: { code: 'network', message: `The provider could not be reached: ${error.reason}.` },
      };
    throw error;
  }
}

/** A transient HTTP failure (429, 5xx) of a provider without its own error object. */
export function httpFailure(response: OutboundResponse): Extract<SendOutcome, { ok: false }> {
  const retry = response.status === 429 || response.status >= 500;
  return {
    ok: false,
    retry,
    retryAfterMs: retry ? 2000 : undefined,
    error: { code: `http_${response.status}`, message: `The provider answered HTTP ${response.status}.` },
  };
}
