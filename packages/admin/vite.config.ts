// Vite builds the back office into dist/, served by the API at /admin/ (packages/server/src/http/admin-ui.ts).
// `pnpm --filter @holdfast/admin dev` serves it with hot reload and forwards API calls to a local server.
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const api = process.env.HOLDFAST_API ?? 'http://127.0.0.1:8000';

export default defineConfig({
  base: '/admin/',
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // No inline scripts or data: URLs for modules: the page's CSP allows scripts from this origin only.
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    sourcemap: false,
  },
  server: { proxy: { '/trpc': api, '/api': api } },
});
