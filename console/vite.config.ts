// Builds the agent console into dist/, served by the server under /admin/.
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

/** The SDK from its source (the browser-safe part): the console builds without building the sdk workspace first. */
export const sdkAlias = {
  '@causerie/sdk/client': decodeURIComponent(new URL('../sdk/src/client.ts', import.meta.url).pathname),
};

export default defineConfig({
  base: '/admin/',
  plugins: [react()],
  resolve: { alias: sdkAlias },
  build: { outDir: 'dist', emptyOutDir: true, target: 'es2022', sourcemap: false, reportCompressedSize: true },
  server: {
    proxy: {
      '/api': 'http://127.0.0.1:8080',
      '/auth': 'http://127.0.0.1:8080',
      '/realtime': { target: 'ws://127.0.0.1:8080', ws: true },
    },
  },
});
