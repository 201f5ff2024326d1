// @ts-check
import { defineConfig } from 'astro/config';
import mdx from '@astrojs/mdx';
import node from '@astrojs/node';

export default defineConfig({
  // Build-time default only; links, QR codes and feeds read SITE_URL at run time (src/server/config.ts).
  site: process.env.SITE_URL || 'http://127.0.0.1:4321',
  // Middleware mode: src/cli/serve.ts wraps Astro's handler with compression and static files.
  adapter: node({ mode: 'middleware' }),
  integrations: [mdx()],
  security: { checkOrigin: true },
  trailingSlash: 'never',
  build: { format: 'directory', inlineStylesheets: 'always' },
  compressHTML: true,
  devToolbar: { enabled: false },
  prefetch: false,
});
