// Seed 002's output formats: `jj.mm.aaaa hh:mm` dates, `;`-separated CSV and a plain XML document, all in UTC.

const pad = (value: number): string => String(value).padStart(2, '0');

/** `2011-12-27T11:58:07.000Z` → `27.12.2011 11:58` (UTC). */
export function formatV1DateTime(instant: string): string {
  const date = new Date(instant);
  return `${pad(date.getUTCDate())}.${pad(date.getUTCMonth() + 1)}.${date.getUTCFullYear()} ${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}`;
}

/** `2011-12-27T11:58:07.000Z` → `11:58` (UTC). */
export function formatV1Time(instant: string): string {
  const date = new Date(instant);
  return `${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}`;
}

/** Milliseconds → `mm:ss`; minutes keep counting past 59 (`75:02`) as there is no hour field. */
export function formatMinutesSeconds(milliseconds: number): string {
  const seconds = Math.max(0, Math.floor(milliseconds / 1000));
  return `${pad(Math.floor(seconds / 60))}:${pad(seconds % 60)}`;
}

/** A CSV column: `text` values are double-quoted, `number` values are written bare (already formatted, or empty when null). */
export interface CsvColumn<R> {
  name: string;
  kind: 'text' | 'number';
  value: (row: R) => string | null;
}

export const CSV_CONTENT_TYPE = 'text/csv; charset=utf-8';
const CSV_LINE_END = '\r\n';

function quote(text: string): string {
  return `"${text.replace(/"/g, '""')}"`;
}

/**
 * Seed 002's CSV: a header line of quoted names, `;` between fields, text double-quoted (a `"` inside
 * doubled), numbers bare, CRLF line ends (RFC 4180). Values are written as stored, never rewritten.
 */
export function toCsv<R>(columns: readonly CsvColumn<R>[], rows: readonly R[]): string {
  const lines = [columns.map((column) => quote(column.name)).join(';')];
  for (const row of rows) {
    lines.push(
      columns
        .map((column) => {
          const value = column.value(row);
          if (value === null) return column.kind === 'text' ? '""' : '';
          return column.kind === 'text' ? quote(value) : value;
        })
        .join(';'),
    );
  }
  return lines.join(CSV_LINE_END) + CSV_LINE_END;
}

export const XML_CONTENT_TYPE = 'application/xml; charset=utf-8';

/** An XML element: text content, or child elements in order. */
export interface XmlNode {
  name: string;
  content: string | XmlNode[];
}

// Characters XML 1.0 cannot carry at all (controls other than tab, newline and carriage return; lone surrogates; U+FFFE/U+FFFF).
const NOT_XML = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;

function escapeXml(text: string): string {
  return text
    .replace(NOT_XML, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

function renderNode(node: XmlNode, depth: number): string {
  const indent = '  '.repeat(depth);
  if (typeof node.content === 'string') return `${indent}<${node.name}>${escapeXml(node.content)}</${node.name}>`;
  if (node.content.length === 0) return `${indent}<${node.name}/>`;
  return `${indent}<${node.name}>\n${node.content.map((child) => renderNode(child, depth + 1)).join('\n')}\n${indent}</${node.name}>`;
}

/** A whole XML document (UTF-8) with `root` as its element; text is escaped and characters XML forbids are dropped. */
export function toXml(root: XmlNode): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n${renderNode(root, 0)}\n`;
}
