// Builds the iframe app (`dist/widget/frame.html` and its hashed assets), served from the Causerie origin under /widget/.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));

export default defineConfig({
  root: here('./src/frame'),
  base: '/widget/',
  build: {
    outDir: here('./dist/widget'),
    emptyOutDir: true,
    target: 'es2019',
    assetsDir: 'assets',
    modulePreload: false,
    rollupOptions: { input: here('./src/frame/frame.html') },
  },
});
