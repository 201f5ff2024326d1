// @ts-check
import { defineConfig } from 'astro/config';
import mdx from '@astrojs/mdx';
import node from '@astrojs/node';
import rehypeTaskBoxes from './src/lib/markdown/rehype-task-boxes.mjs';

export default defineConfig({
  // Tests build a fixture site into another folder (tests/integration/leak.test.ts).
  outDir: process.env.ASTRO_OUT_DIR || './dist',
  // Build-time default only; links, QR codes and feeds read SITE_URL at run time (src/server/config.ts).
  site: process.env.SITE_URL || 'http://127.0.0.1:4321',
  // Middleware mode: src/cli/serve.ts wraps Astro's handler with compression and static files.
  adapter: node({ mode: 'middleware' }),
  integrations: [mdx()],
  markdown: { rehypePlugins: [rehypeTaskBoxes] },
  security: { checkOrigin: true },
  trailingSlash: 'never',
  build: { format: 'directory', inlineStylesheets: 'always' },
  compressHTML: true,
  devToolbar: { enabled: false },
  prefetch: false,
});
