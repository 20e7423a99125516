import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// The build is embedded into the palettemaker binary, which serves it under a strict CSP
// (script-src 'self'): no inline scripts, no CDN, no external fonts. Vite's module-preload
// polyfill is an inline script, so it is switched off (every browser we target supports
// <link rel="modulepreload"> natively).
//
// `npm run dev` proxies /api (and the health endpoints) to a running binary; point it
// elsewhere with PM_API=http://127.0.0.1:PORT.
const api = process.env.PM_API ?? 'http://127.0.0.1:8080';

export default defineConfig({
  plugins: [react()],
  build: {
    outDir: 'dist',
    assetsDir: 'assets',
    target: 'es2020',
    modulePreload: { polyfill: false },
    sourcemap: false,
    // Small images would otherwise be inlined as data: URLs; keep every asset a real file.
    assetsInlineLimit: 0,
  },
  server: {
    proxy: {
      '/api': { target: api, changeOrigin: false },
      '/healthz': api,
      '/readyz': api,
    },
  },
});
