// Vite build of the console: Preact through esbuild's automatic JSX runtime, no inline scripts (CSP default-src 'self').
import { defineConfig } from 'vite';

export default defineConfig({
  esbuild: { jsx: 'automatic', jsxImportSource: 'preact' },
  build: {
    outDir: 'dist',
    assetsDir: 'assets',
    // khien embeds the bundle; the modulepreload polyfill would be an extra script for no gain.
    modulePreload: { polyfill: false },
    chunkSizeWarningLimit: 1500,
    sourcemap: false,
  },
  server: { proxy: { '/api': 'http://127.0.0.1:8080' } },
});
