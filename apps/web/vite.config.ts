/**
 * Vite build of the dashboard into apps/web/dist, which `kumulus serve` hands out at `/`.
 * In development (`npm run dev -w @kumulus/web`) /api is proxied to a running server,
 * KUMULUS_API (default http://127.0.0.1:8080), including the console WebSocket.
 */
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

export default defineConfig({
  plugins: [react()],
  build: { outDir: 'dist', emptyOutDir: true, sourcemap: false, chunkSizeWarningLimit: 600 },
  server: {
    proxy: { '/api': { target: process.env.KUMULUS_API ?? 'http://127.0.0.1:8080', ws: true, changeOrigin: false } },
  },
});
