// backto keeps operators on this console: seed 003's examples work, and nothing sends them to another site.
import { describe, expect, it } from 'vitest';
import { safeBackto } from './backto';

const ORIGIN = 'https://chat.example.com';

describe('safeBackto', () => {
  it("maps seed 003's examples to console pages", () => {
    expect(safeBackto('/pupitre', ORIGIN)).toBe('/admin/pupitre');
    expect(safeBackto('/users', ORIGIN)).toBe('/admin/users');
    expect(safeBackto('/admin/conversations/12?x=1#end', ORIGIN)).toBe('/admin/conversations/12?x=1#end');
  });

  it('goes home when there is nothing, or a loop', () => {
    expect(safeBackto(null, ORIGIN)).toBe('/admin/');
    expect(safeBackto('', ORIGIN)).toBe('/admin/');
    expect(safeBackto('/admin/login', ORIGIN)).toBe('/admin/');
  });

  it('refuses every way out of the origin', () => {
    for (const raw of [
      'https://evil.example/',
      '//evil.example/x',
      '/\\evil.example',
      '\\\\evil.example',
      'javascript:alert(1)',
      'users',
      '/\t/evil.example',
      '%2F%2Fevil.example',
      'http:/evil.example',
    ]) {
      const target = safeBackto(raw, ORIGIN);
      expect(new URL(target, ORIGIN).origin, raw).toBe(ORIGIN);
      expect(target.startsWith('/admin'), raw).toBe(true);
    }
    expect(safeBackto('//evil.example/x', ORIGIN)).toBe('/admin/');
    expect(safeBackto('https://evil.example/', ORIGIN)).toBe('/admin/');
  });
});
