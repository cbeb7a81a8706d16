// Unit tests of the console's logic (no DOM needed): run with `npm test -w console`.
import { defineConfig } from 'vitest/config';

export default defineConfig({ test: { include: ['src/**/*.test.ts'], environment: 'node' } });
