// The Campaigns pages' pure parts: the SMS segment count, the preview of a message with a CSV row's values, the first
// row of a CSV file, a broadcast's progress as proportions, the actions its state allows and the creation body.

/** GSM 03.38 basic set and the extension table's characters (each of those costs two septets). */
const GSM_BASIC =
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà';
const GSM_EXTENDED = '^{}\\[~]|€\f';

export interface Segments {
  encoding: 'GSM-7' | 'UCS-2';
  /** Septets (GSM-7) or UTF-16 code units (UCS-2) the text takes. */
  units: number;
  segments: number;
}

/** How many SMS a text is sent as: GSM-7 160 (153 per part when split), else UCS-2 70 (67 per part). */
export function smsSegments(text: string): Segments {
  let septets = 0;
  let gsm = true;
  for (const character of text) {
    if (GSM_BASIC.includes(character)) septets += 1;
    else if (GSM_EXTENDED.includes(character)) septets += 2;
    else {
      gsm = false;
      break;
    }
  }
  if (gsm) return { encoding: 'GSM-7', units: septets, segments: count(septets, 160, 153) };
  return { encoding: 'UCS-2', units: text.length, segments: count(text.length, 70, 67) };
}

const count = (units: number, single: number, part: number) =>
  units === 0 ? 0 : units <= single ? 1 : Math.ceil(units / part);

/** The text with `{{name}}` replaced by the row's value; a variable the row lacks stays as written. */
export function preview(text: string, row: Readonly<Record<string, string>>): string {
  return text.replace(/\{\{\s*([\w.-]+)\s*\}\}/g, (whole, name: string) => row[name] ?? whole);
}

/** The variables a text names, in order, once each. */
export function variablesOf(text: string): string[] {
  return [...new Set([...text.matchAll(/\{\{\s*([\w.-]+)\s*\}\}/g)].map((match) => match[1] ?? ''))];
}

/** One CSV record's cells (RFC 4180 quotes; `,` or `;` as the separator the header uses). */
function cellsOf(line: string, separator: string): string[] {
  const cells: string[] = [];
  let cell = '';
  let quoted = false;
  for (let index = 0; index < line.length; index += 1) {
    const character = line[index];
    if (quoted) {
      if (character === '"' && line[index + 1] === '"') {
        cell += '"';
        index += 1;
      } else if (character === '"') quoted = false;
      else cell += character;
    } else if (character === '"') quoted = true;
    else if (character === separator) {
      cells.push(cell);
      cell = '';
    } else cell += character;
  }
  cells.push(cell);
  return cells.map((value) => value.trim());
}

/** The header and first data row of a CSV file's beginning, as column → value ({} when there is no data row). */
export function firstRowOf(csv: string): { columns: string[]; row: Record<string, string> } {
  const lines = csv
    .replace(/^\uFEFF/, '')
    .split(/\r?\n/)
    .filter((line) => line.trim() !== '');
  const header = lines[0];
  if (header === undefined) return { columns: [], row: {} };
  const separator = (header.match(/;/g)?.length ?? 0) > (header.match(/,/g)?.length ?? 0) ? ';' : ',';
  const columns = cellsOf(header, separator);
  const values = lines[1] === undefined ? [] : cellsOf(lines[1], separator);
  const row: Record<string, string> = {};
  columns.forEach((column, index) => {
    const value = values[index];
    if (value !== undefined) row[column] = value;
  });
  return { columns, row: lines[1] === undefined ? {} : row };
}

export interface Progress {
  total: number;
  invalid: number;
  queued: number;
  sent: number;
  delivered: number;
  read: number;
  failed: number;
  opted_out: number;
  expired: number;
  cancelled: number;
}

export const PROGRESS_PARTS = ['read', 'delivered', 'sent', 'failed', 'queued'] as const;
export type ProgressPart = (typeof PROGRESS_PARTS)[number];

/**
 * Each part's share of the recipients that can be sent (the total counts the invalid lines too, which are never
 * sent), in percent: read, delivered, sent, failed — with opted out and expired, which never arrive — and queued; 0
 * everywhere before any recipient is known. Cancelled recipients are the rest.
 */
export function progressShares(progress: Progress): Record<ProgressPart, number> {
  const total = progress.total - progress.invalid;
  const share = (value: number) => (total <= 0 ? 0 : Math.min(100, (value / total) * 100));
  return {
    read: share(progress.read),
    delivered: share(progress.delivered),
    sent: share(progress.sent),
    failed: share(progress.failed + progress.opted_out + progress.expired),
    queued: share(progress.queued),
  };
}

/** Broadcasts whose counters still move: the list and the page reload while one is in these states. */
export const MOVING_STATES: readonly string[] = ['importing', 'scheduled', 'running'];

export type CampaignAction = 'pause' | 'resume' | 'cancel';

/** The actions a broadcast's state allows (the server's state machine). */
export function actionsOf(state: string): CampaignAction[] {
  if (state === 'running' || state === 'scheduled') return ['pause', 'cancel'];
  if (state === 'paused') return ['resume', 'cancel'];
  if (state === 'importing') return ['cancel'];
  return [];
}

export interface CampaignDraft {
  agent_id: string;
  name: string;
  channel: string;
  text: string;
  send_at: string;
  rate_per_second: string;
  default_country: string;
}

/** The POST /messenger/broadcast body of a draft: empty optional fields left out; send_at (local time) as ISO 8601. */
export function campaignBody(draft: CampaignDraft): Record<string, unknown> {
  const body: Record<string, unknown> = {
    agent_id: Number(draft.agent_id),
    name: draft.name.trim(),
    channel: draft.channel,
    content: { text: draft.text },
  };
  if (draft.send_at !== '') {
    const at = new Date(draft.send_at);
    body.send_at = Number.isNaN(at.getTime()) ? draft.send_at : at.toISOString();
  }
  if (draft.rate_per_second.trim() !== '') body.rate_per_second = Number(draft.rate_per_second);
  if (draft.default_country.trim() !== '') body.default_country = draft.default_country.trim().toUpperCase();
  return body;
}
