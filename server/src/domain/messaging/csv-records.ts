// A streamed CSV reader for broadcast recipient files (issue 20): RFC 4180 records read chunk by chunk, so a file of a
// million rows never sits in memory whole. Quoted fields may hold the separator, doubled quotes and line breaks; a
// UTF-8 byte-order mark is skipped; the separator is `,` or `;` (spreadsheets set to French write `;`), chosen from
// the header line. Each record carries the line it starts on, so problems can name it.

export interface CsvRecord {
  /** 1-based line of the file on which the record starts (the header is line 1). */
  line: number;
  fields: string[];
}

/** A file that is not CSV at all (an unterminated quote at the end): the whole upload is refused. */
export class CsvSyntaxError extends Error {
  constructor(
    message: string,
    readonly line: number,
  ) {
    super(message);
    this.name = 'CsvSyntaxError';
  }
}

/** Largest field accepted: a recipient's variable, not a document. */
export const MAX_FIELD_LENGTH = 4096;

type Separator = ',' | ';';

/** `;` when the header line has more semicolons than commas outside quotes, else `,`. */
export function detectSeparator(headerLine: string): Separator {
  let commas = 0;
  let semicolons = 0;
  let quoted = false;
  for (const char of headerLine) {
    if (char === '"') quoted = !quoted;
    else if (!quoted && char === ',') commas++;
    else if (!quoted && char === ';') semicolons++;
  }
  return semicolons > commas ? ';' : ',';
}

/**
 * The records of a CSV byte stream, in order. Blank lines are skipped (they still count as lines). A field longer
 * than MAX_FIELD_LENGTH, or a quote left open at the end, is a CsvSyntaxError naming the line.
 */
export async function* readCsvRecords(
  source: AsyncIterable<Buffer | string> | Iterable<Buffer | string>,
): AsyncGenerator<CsvRecord> {
  const decoder = new TextDecoder('utf-8');
  let separator: Separator | undefined;
  let pending = '';
  let fields: string[] = [];
  let field = '';
  let quoted = false;
  let line = 1;
  let recordLine = 1;
  let first = true;
  let lastWasCarriageReturn = false;

  const endField = () => {
    fields.push(field);
    field = '';
  };
  const endRecord = (): CsvRecord | undefined => {
    endField();
    const record = fields;
    fields = [];
    const blank = record.length === 1 && record[0] === '';
    return blank ? undefined : { line: recordLine, fields: record };
  };

  const consume = function* (text: string, final: boolean): Generator<CsvRecord> {
    let index = 0;
    if (separator === undefined) {
      // The separator is read from the header: wait for its first line break (or the end of the file).
      const breakAt = text.search(/\r|\n/);
      if (breakAt === -1 && !final) {
        pending = text;
        return;
      }
      separator = detectSeparator(breakAt === -1 ? text : text.slice(0, breakAt));
    }
    for (; index < text.length; index++) {
      const char = text[index] as string;
      // A CRLF is one line break, even when a chunk ends between its two characters.
      const afterCarriageReturn = lastWasCarriageReturn;
      lastWasCarriageReturn = char === '\r';
      if (quoted) {
        if (char === '"') {
          if (index + 1 === text.length && !final) {
            // A quote at the end of a chunk: whether it is doubled is known only with the next chunk.
            pending = text.slice(index);
            return;
          }
          if (text[index + 1] === '"') {
            field += '"';
            index++;
          } else quoted = false;
        } else {
          if (char === '\r' || (char === '\n' && !afterCarriageReturn)) line++;
          field += char;
        }
      } else if (char === '"' && field === '') quoted = true;
      else if (char === separator) endField();
      else if (char === '\n' && afterCarriageReturn) {
        // The second half of a CRLF whose record already ended.
      } else if (char === '\n' || char === '\r') {
        const record = endRecord();
        if (record !== undefined) yield record;
        line++;
        recordLine = line;
      } else field += char;
      if (field.length > MAX_FIELD_LENGTH)
        throw new CsvSyntaxError(`A field is longer than ${MAX_FIELD_LENGTH} characters.`, recordLine);
    }
    pending = '';
  };

  for await (const chunk of source) {
    let text = pending + (typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true }));
    pending = '';
    if (first && text.length > 0) {
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
      first = false;
    }
    yield* consume(text, false);
  }
  const rest = pending + decoder.decode();
  pending = '';
  yield* consume(first && rest.charCodeAt(0) === 0xfeff ? rest.slice(1) : rest, true);
  if (quoted) throw new CsvSyntaxError('A quoted field is not closed before the end of the file.', recordLine);
  const last = endRecord();
  if (last !== undefined) yield last;
}
