/**
 * Vite build of the dashboard into apps/web/dist, which `kumulus serve` hands out at `/`.
 * In development (`npm run dev -w @kumulus/web`) /api is proxied to a running server,
 * KUMULUS_API (default http://127.0.0.1:8080), including the console WebSocket.
 * The build also writes .br and .gz copies of its text files (build/precompress.ts).
 */
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';
import { precompress } from './build/precompress.ts';

export default defineConfig({
  plugins: [react(), precompress()],
  build: { outDir: 'dist', emptyOutDir: true, sourcemap: false, chunkSizeWarningLimit: 600 },
  server: {
    proxy: { '/api': { target: process.env.KUMULUS_API ?? 'http://127.0.0.1:8080', ws: true, changeOrigin: false } },
  },
});
