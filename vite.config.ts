import { defineConfig } from 'vite';
import solid from 'vite-plugin-solid';

// The web app lives in web/; the production build lands in dist/web, which the Hono server serves on one port.
export default defineConfig({
  root: 'web',
  plugins: [solid()],
  build: {
    outDir: '../dist/web',
    emptyOutDir: true,
    chunkSizeWarningLimit: 4096,
  },
  server: {
    port: 5173,
    proxy: { '/api': 'http://localhost:8787', '/open311': 'http://localhost:8787' },
  },
});
