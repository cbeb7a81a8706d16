// Sealed secrets: a text opened once (and kept) still opens only with its own key and binding, untouched.
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { openText, sealText } from './secrets.js';

describe('sealed secrets', () => {
  const key = randomBytes(32);
  const sealed = sealText(key, 'channel:1', 'EAAG-token');

  it('opens to the sealed text, again and again', () => {
    expect(openText(key, 'channel:1', sealed)).toBe('EAAG-token');
    expect(openText(key, 'channel:1', sealed)).toBe('EAAG-token');
  });

  it('once opened, still refuses another binding, another key and a changed value', () => {
    expect(openText(key, 'channel:1', sealed)).toBe('EAAG-token');
    expect(() => openText(key, 'channel:2', sealed)).toThrow();
    expect(() => openText(randomBytes(32), 'channel:1', sealed)).toThrow();
    const [version, iv, tag, ciphertext = ''] = sealed.split('.');
    const flipped = `${ciphertext.startsWith('A') ? 'B' : 'A'}${ciphertext.slice(1)}`;
    expect(() => openText(key, 'channel:1', [version, iv, tag, flipped].join('.'))).toThrow();
  });

  it('opens a new value sealed for the same row (a changed secret), not the one opened before', () => {
    expect(openText(key, 'channel:1', sealed)).toBe('EAAG-token');
    expect(openText(key, 'channel:1', sealText(key, 'channel:1', 'EAAG-rotated'))).toBe('EAAG-rotated');
  });
});
