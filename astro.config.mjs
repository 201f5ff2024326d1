// @ts-check
import { defineConfig } from 'astro/config';
import mdx from '@astrojs/mdx';
import node from '@astrojs/node';
import rehypeTaskBoxes from './src/lib/markdown/rehype-task-boxes.mjs';
import rehypeTableScroll from './src/lib/markdown/rehype-table-scroll.mjs';
import { BASE_DIRECTIVES } from './src/web/security-headers.ts';

export default defineConfig({
  // Tests build a fixture site into another folder (tests/integration/leak.test.ts).
  outDir: process.env.ASTRO_OUT_DIR || './dist',
  // Build-time default only; links, QR codes and feeds read SITE_URL at run time (src/server/config.ts).
  site: process.env.SITE_URL || 'http://127.0.0.1:4321',
  // Middleware mode: src/cli/serve.ts wraps Astro's handler with compression and static files.
  // staticHeaders: the policy of each prerendered page goes to dist/_headers.json, which serve.ts sends
  // as a header (a <meta> policy cannot carry frame-ancestors); on-demand pages get it from Astro.
  adapter: node({ mode: 'middleware', staticHeaders: true }),
  integrations: [mdx()],
  markdown: { rehypePlugins: [rehypeTaskBoxes, rehypeTableScroll] },
  security: {
    // Origin checks are ours (src/web/origin.ts): Astro's compares with the socket's protocol, which
    // behind a TLS-ending proxy is http while the browser's Origin is https.
    checkOrigin: false,
    // Astro hashes the CSS it inlines and the scripts it bundles into each page's policy; inline
    // scripts of our own add their hash with Astro.csp.insertScriptHash (see src/web/security-headers.ts).
    csp: { algorithm: 'SHA-256', directives: [...BASE_DIRECTIVES] },
  },
  trailingSlash: 'never',
  build: { format: 'directory', inlineStylesheets: 'always' },
  compressHTML: true,
  devToolbar: { enabled: false },
  prefetch: false,
});
