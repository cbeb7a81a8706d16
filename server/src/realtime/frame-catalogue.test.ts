// docs/REALTIME.md lists exactly the frame types the catalogue accepts, on each socket, and exactly the error codes a
// socket can answer.
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { serviceWindowClosed } from '../channels/outbox.js';
import {
  type ApiError,
  conflict,
  fieldInvalid,
  fieldMissing,
  notPermitted,
  realtimeErrors,
  unknownResource,
} from '../errors.js';
import { FRAME_CATALOGUE } from './frame-catalogue.js';
import { identityRefused } from './identity.js';

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

/** The codes in the first column of the table under `## Errors` (a row may name two). */
function documentedErrorCodes(): string[] {
  const start = REALTIME_MD.indexOf('## Errors');
  expect(start, 'docs/REALTIME.md has a "## Errors" section').toBeGreaterThanOrEqual(0);
  const section = REALTIME_MD.slice(start, REALTIME_MD.indexOf('\n## ', start + 1));
  return section
    .split('\n')
    .filter((row) => row.startsWith('| `'))
    .flatMap((row) => [...(row.split('|')[1] ?? '').matchAll(/`([a-z_]+)`/g)].map((match) => match[1] ?? ''));
}

/** Every error a socket may answer: the protocol's own, and the shared ones its handlers raise. */
function socketErrors(): ApiError[] {
  // Arguments only shape the message; the code is what is compared.
  const own = Object.values(realtimeErrors).map((make) => (make as (...args: string[]) => ApiError)('x', 'x'));
  return [
    ...own,
    fieldMissing('text'),
    fieldInvalid('text'),
    unknownResource('conversation', 1),
    notPermitted('Not yours.'),
    conflict('Closed.'),
    identityRefused(),
    serviceWindowClosed(1, 'WhatsApp', null),
  ];
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

  it('documents exactly the error codes a socket can answer', () => {
    const codes = [...new Set(socketErrors().map((error) => error.frameCode))].sort();
    expect(documentedErrorCodes().sort()).toEqual(codes);
  });
});
