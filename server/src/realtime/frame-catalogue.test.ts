// docs/REALTIME.md lists exactly the frame types the catalogue accepts, on each socket.
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { FRAME_CATALOGUE } from './frame-catalogue.js';

const REALTIME_MD = fs.readFileSync(fileURLToPath(new URL('../../../docs/REALTIME.md', import.meta.url)), 'utf8');

/** The frame types in the first column of the "Client → server" table of a `## … socket` section. */
function documentedInbound(section: string): string[] {
  const start = REALTIME_MD.indexOf(`## ${section}`);
  expect(start, `docs/REALTIME.md has a "## ${section}" section`).toBeGreaterThanOrEqual(0);
  const rest = REALTIME_MD.slice(start);
  const tableStart = rest.indexOf('### Client → server');
  const tableEnd = rest.indexOf('\n### ', tableStart + 1);
  const rows = rest.slice(tableStart, tableEnd).split('\n');
  return rows.flatMap((row) => {
    const cell = /^\|\s*`([a-z_]+)`\s*\|/.exec(row);
    return cell?.[1] === undefined ? [] : [cell[1]];
  });
}

describe('docs/REALTIME.md and the frame catalogue', () => {
  it.each([
    ['visitor', 'Visitor socket'],
    ['operator', 'Operator socket'],
  ] as const)('documents exactly the frames a %s sends', (side, section) => {
    expect(documentedInbound(section).sort()).toEqual(Object.keys(FRAME_CATALOGUE[side]).sort());
  });

  it('gives every catalogued frame its own type literal', () => {
    for (const frames of Object.values(FRAME_CATALOGUE))
      for (const [type, schema] of Object.entries(frames))
        expect((schema.properties.type as { const?: unknown }).const).toBe(type);
  });
});
