import { describe, expect, it } from 'vitest';
import { type CsvRecord, CsvSyntaxError, detectSeparator, MAX_FIELD_LENGTH, readCsvRecords } from './csv-records.js';

async function records(chunks: Array<string | Buffer>): Promise<CsvRecord[]> {
  const out: CsvRecord[] = [];
  for await (const record of readCsvRecords(chunks)) out.push(record);
  return out;
}

/** The same text cut into chunks of every size from 1 to 7 bytes reads the same. */
async function everyCut(text: string): Promise<CsvRecord[]> {
  const whole = await records([text]);
  const bytes = Buffer.from(text, 'utf8');
  for (let size = 1; size <= 7; size++) {
    const chunks: Buffer[] = [];
    for (let at = 0; at < bytes.length; at += size) chunks.push(bytes.subarray(at, at + size));
    expect(await records(chunks), `chunks of ${size} bytes`).toEqual(whole);
  }
  return whole;
}

describe('readCsvRecords', () => {
  it('reads a header and rows with their line numbers', async () => {
    expect(await everyCut('phone,firstname\n+33612345678,Léa\n+33698765432,Émile\n')).toEqual([
      { line: 1, fields: ['phone', 'firstname'] },
      { line: 2, fields: ['+33612345678', 'Léa'] },
      { line: 3, fields: ['+33698765432', 'Émile'] },
    ]);
  });

  it('reads quoted separators, doubled quotes and line breaks inside quotes, CRLF, a BOM and no final newline', async () => {
    const text = '\uFEFFphone,note\r\n+33612345678,"Hello, ""Léa""\r\nsee you"\r\n+33698765432,plain';
    expect(await everyCut(text)).toEqual([
      { line: 1, fields: ['phone', 'note'] },
      { line: 2, fields: ['+33612345678', 'Hello, "Léa"\r\nsee you'] },
      { line: 4, fields: ['+33698765432', 'plain'] },
    ]);
  });

  it('takes ; as the separator when the header uses it, and skips blank lines while counting them', async () => {
    expect(await everyCut('phone;amount\n\n+33612345678;"12,50"\n')).toEqual([
      { line: 1, fields: ['phone', 'amount'] },
      { line: 3, fields: ['+33612345678', '12,50'] },
    ]);
    expect(detectSeparator('"a;b",c,d')).toBe(',');
  });

  it('refuses an unclosed quote and an over-long field, naming the line', async () => {
    await expect(records(['phone\n"+3361'])).rejects.toMatchObject({ name: 'CsvSyntaxError', line: 2 });
    const error = await records([`phone\n${'9'.repeat(MAX_FIELD_LENGTH + 1)}\n`]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CsvSyntaxError);
    expect((error as CsvSyntaxError).line).toBe(2);
  });

  it('reads an empty file as no records', async () => {
    expect(await records([])).toEqual([]);
    expect(await records(['\uFEFF'])).toEqual([]);
  });
});
