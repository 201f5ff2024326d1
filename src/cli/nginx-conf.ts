/**
 * Renders deploy/nginx.conf (the template) for `npm run cluster`: the app servers' ports, the static
 * root, the security headers of src/web/security-headers.ts and the Content-Security-Policy of every
 * prerendered page (dist/_headers.json, which serve.ts sends too), so a file served by nginx carries
 * exactly the headers the app would have sent. Also writes nginx's own error pages (Vietnamese).
 */
import fs from 'node:fs';
import path from 'node:path';
import { baseHeaders, fallbackPolicy, plainPage } from '../web/security-headers.ts';

/** Where Debian's nginx keeps its dynamic modules (libnginx-mod-http-brotli-filter/-static). */
const MODULES_DIR = '/usr/lib/nginx/modules';
const BROTLI_MODULES = ['ngx_http_brotli_filter_module.so', 'ngx_http_brotli_static_module.so'];

export interface NginxConfOptions {
  /** Scratch folder: the rendered conf, pid file, temporary files and error pages live here. */
  prefix: string;
  /** The built site (its `client` folder is served, its `_headers.json` read). */
  dist: string;
  /** Where nginx listens. */
  host: string;
  port: number;
  /** The app servers' ports on 127.0.0.1. */
  appPorts: number[];
  production: boolean;
  /** nginx worker processes (a number or "auto"). */
  workers?: string;
  /** Use the brotli modules (default: when both are installed). */
  brotli?: boolean;
  /** Whether this process runs as root (then the workers must keep root to use the scratch folder). */
  root?: boolean;
  /** The template (default deploy/nginx.conf). */
  template?: string;
}

/** An nginx double-quoted string. */
function quote(s: string): string {
  if (/["\\$\n\r]/.test(s)) throw new Error(`cannot quote for nginx: ${s}`);
  return `"${s}"`;
}

/** The page policies Astro computed for prerendered pages, by page path. */
export function pagePolicies(dist: string): Map<string, string> {
  const out = new Map<string, string>();
  const file = path.join(dist, '_headers.json');
  if (!fs.existsSync(file)) return out;
  const entries = JSON.parse(fs.readFileSync(file, 'utf8')) as { pathname: string; headers: { key: string; value: string }[] }[];
  for (const e of entries) {
    const csp = e.headers.find((h) => h.key.toLowerCase() === 'content-security-policy');
    if (csp) out.set(e.pathname, csp.value);
  }
  return out;
}

/** Whether Debian's brotli modules for nginx are installed. */
export function brotliAvailable(): boolean {
  return BROTLI_MODULES.every((m) => fs.existsSync(path.join(MODULES_DIR, m)));
}

/** The rendered configuration (pure apart from reading the template and dist/_headers.json). */
export function renderNginxConf(o: NginxConfOptions): string {
  const template = fs.readFileSync(o.template ?? path.resolve('deploy/nginx.conf'), 'utf8');
  const brotli = o.brotli ?? brotliAvailable();
  const listen = o.host.includes(':') ? `[${o.host}]:${o.port}` : `${o.host}:${o.port}`;
  const lines: string[] = [];
  const seen = new Set<string>();
  // The file that answers a page path: /a/b/index.html (directory format) or /a/b.html.
  for (const [page, csp] of pagePolicies(o.dist)) {
    const files = page === '/' ? ['/index.html', '/'] : [`${page}/index.html`, `${page}.html`, page];
    for (const f of files) {
      if (seen.has(f)) continue;
      seen.add(f);
      lines.push(`        ${quote(f)} ${quote(csp)};`);
    }
  }
  lines.push(`        ~^/pagefind/ ${quote(fallbackPolicy('/pagefind/'))};`);
  lines.push(`        default ${quote(fallbackPolicy('/'))};`);
  const security = Object.entries(baseHeaders(o.production))
    .map(([k, v]) => `            add_header ${k} ${quote(v)} always;`)
    .join('\n');
  const slots: Record<string, string> = {
    MODULES: brotli ? BROTLI_MODULES.map((m) => `load_module ${path.join(MODULES_DIR, m)};`).join('\n') : '# (brotli modules not installed: gzip only)',
    USER: o.root ? '# Started as root: workers keep root so they can use the scratch folder.\nuser root root;' : '',
    WORKERS: o.workers ?? 'auto',
    PREFIX: o.prefix,
    ROOT: path.resolve(o.dist, 'client'),
    LISTEN: listen,
    SERVERS: o.appPorts.map((p) => `        server 127.0.0.1:${p} max_fails=1 fail_timeout=5s;`).join('\n'),
    BROTLI: brotli
      ? [
          '    brotli on;',
          '    brotli_static on;',
          '    brotli_comp_level 5;',
          '    brotli_min_length 512;',
          '    brotli_types text/css text/plain text/xml text/calendar application/javascript application/json application/manifest+json image/svg+xml application/wasm application/octet-stream;',
        ].join('\n')
      : '',
    SECURITY_HEADERS: security,
    PAGE_POLICIES: lines.join('\n'),
  };
  const out = template.replace(/\{\{([A-Z_]+)\}\}/g, (m, name: string) => {
    if (!(name in slots)) throw new Error(`unknown slot ${m} in the nginx template`);
    return slots[name]!;
  });
  return out;
}

/** The texts of nginx's own error pages, as the app words them. */
const PAGES: Record<string, { title: string; message: string }> = {
  '413.html': { title: 'Lỗi', message: 'Dữ liệu gửi lên quá lớn.' },
  '502.html': { title: 'Máy chủ đang bận', message: 'Máy chủ đang bận hoặc đang khởi động lại. Vui lòng thử lại sau ít phút.' },
};

/** Writes the rendered conf, the temporary folders and the error pages into `o.prefix`; returns the conf path. */
export function writeNginxFiles(o: NginxConfOptions): string {
  for (const d of ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi', 'pages/__hocso-nginx']) fs.mkdirSync(path.join(o.prefix, d), { recursive: true });
  for (const [name, p] of Object.entries(PAGES)) {
    const html = plainPage(p.title, `<h1>Không thực hiện được yêu cầu</h1><p role="alert">${p.message}</p><p><a href="/">Về trang chủ</a></p>`);
    fs.writeFileSync(path.join(o.prefix, 'pages/__hocso-nginx', name), html);
  }
  const conf = path.join(o.prefix, 'nginx.conf');
  fs.writeFileSync(conf, renderNginxConf(o));
  return conf;
}
