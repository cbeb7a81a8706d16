// The iframe's settings from its fragment: a bad website id stops it, a malformed parent origin disables the bridge.
import { describe, expect, it } from 'vitest';
import { readOptions } from './options';

describe('readOptions', () => {
  it('reads website, parent origin, language and transport', () => {
    expect(readOptions('#w=12&o=https%3A%2F%2Fshop.example&l=fr&t=http')).toEqual({
      websiteId: 12,
      parentOrigin: 'https://shop.example',
      lang: 'fr',
      forceHttp: true,
    });
  });

  it('refuses a missing or bad website id, and ignores an origin that is not scheme://host[:port]', () => {
    expect(readOptions('#o=https%3A%2F%2Fshop.example')).toBeNull();
    expect(readOptions('#w=abc')).toBeNull();
    expect(readOptions('#w=0')).toBeNull();
    expect(readOptions('#w=3&o=*')?.parentOrigin).toBeNull();
    expect(readOptions('#w=3&o=https%3A%2F%2Fshop.example%2Fpath')?.parentOrigin).toBeNull();
    expect(readOptions('#w=3&o=javascript%3Aalert(1)')?.parentOrigin).toBeNull();
  });
});
