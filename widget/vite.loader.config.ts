// Builds the loader (`dist/widget.js`): one self-contained IIFE that the site's <script> tag fetches.
import { defineConfig } from 'vite';

export default defineConfig({
  build: {
    outDir: 'dist',
    emptyOutDir: false,
    target: 'es2019',
    lib: { entry: 'src/loader/loader.ts', formats: ['iife'], name: 'CauserieLoader', fileName: () => 'widget.js' },
    sourcemap: false,
  },
});
