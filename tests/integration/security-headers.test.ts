/**
 * Security headers over HTTP on the built server: a Content-Security-Policy on every kind of response
 * that allows each inline script and style by hash and nothing inline otherwise; COOP/CORP, CORS for the
 * public machine-readable routes; HSTS and `__Host-` cookies only in production (checked over plain
 * HTTP with a raw client, since browsers would drop a Secure cookie from http://127.0.0.1).
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { paths } from '../../src/lib/editions.ts';
import { Client, freePort, startServer, type TestServer } from '../setup/server.ts';

const LESSON = paths.lesson('trinh-duyet-an-toan', 'citizen', 'doc-dia-chi');
const REQUIRED = {
  'default-src': ["'self'"],
  'object-src': ["'none'"],
  'base-uri': ["'none'"],
  'frame-ancestors': ["'none'"],
  'form-action': ["'self'"],
  'img-src': ["'self'", 'data:'],
};

let server: TestServer;
beforeAll(async () => {
  if (!fs.existsSync('dist/server/entry.mjs')) throw new Error('Run `npm run build` first (npm test does it).');
  server = await startServer();
});
afterAll(() => server?.stop());

/** Directive name → its sources. */
function parsePolicy(policy: string): Map<string, string[]> {
  const m = new Map<string, string[]>();
  for (const part of policy.split(';')) {
    const [name, ...sources] = part.trim().split(/\s+/);
    if (name) m.set(name.toLowerCase(), sources);
  }
  return m;
}

const hashOf = (text: string) => `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;

/**
 * Checks a document policy: the required directives, no 'unsafe-inline'/'unsafe-eval' for scripts or
 * styles, and, for HTML, every inline script and style allowed by its hash and no inline handlers or
 * style attributes (which no hash can allow).
 */
function expectDocumentPolicy(where: string, policy: string | null, html?: string) {
  expect(policy, `${where}: no Content-Security-Policy`).toBeTruthy();
  const p = parsePolicy(policy!);
  for (const [name, sources] of Object.entries(REQUIRED)) expect(p.get(name), `${where}: ${name}`).toEqual(sources);
  const scripts = p.get('script-src') ?? [];
  const styles = p.get('style-src') ?? [];
  expect(scripts, `${where}: script-src`).toContain("'self'");
  for (const bad of ["'unsafe-inline'", "'unsafe-eval'", "'unsafe-hashes'", '*', 'data:', 'http:', 'https:']) {
    expect(scripts, `${where}: script-src ${bad}`).not.toContain(bad);
    expect(styles, `${where}: style-src ${bad}`).not.toContain(bad);
  }
  if (html === undefined) return;
  for (const m of html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)) {
    if (/\ssrc=/.test(m[1]!)) continue;
    expect(scripts, `${where}: inline script ${m[2]!.slice(0, 60)}`).toContain(hashOf(m[2]!));
  }
  for (const m of html.matchAll(/<style\b[^>]*>([\s\S]*?)<\/style>/g)) {
    expect(styles, `${where}: inline style ${m[1]!.slice(0, 60)}`).toContain(hashOf(m[1]!));
  }
  expect(html, `${where}: style attribute`).not.toMatch(/<[a-z][^>]*\sstyle=/i);
  expect(html, `${where}: inline event handler`).not.toMatch(/<[a-z][^>]*\son[a-z]+=/i);
}

/** A GET without following redirects; returns headers and the body as text. */
async function get(base: string, p: string, headers: Record<string, string> = {}) {
  const r = await fetch(base + p, { headers, redirect: 'manual' });
  return { status: r.status, headers: r.headers, body: await r.text() };
}

describe('Content-Security-Policy', () => {
  it('every prerendered page: inline scripts and styles allowed by hash, nothing else inline', async () => {
    const walk = (dir: string): string[] =>
      fs.readdirSync(dir, { withFileTypes: true }).flatMap((d) => (d.isDirectory() ? walk(path.join(dir, d.name)) : d.name.endsWith('.html') ? [path.join(dir, d.name)] : []));
    const pages = walk('dist/client').map((f) => '/' + path.relative('dist/client', f).split(path.sep).join('/').replace(/(^|\/)index\.html$/, '').replace(/\.html$/, ''));
    expect(pages).toContain(LESSON);
    expect(pages.length).toBeGreaterThan(100);
    for (const p of pages) {
      const r = await get(server.url, p);
      expect(r.status, p).toBe(200);
      expectDocumentPolicy(p, r.headers.get('content-security-policy'), r.body);
    }
  }, 120_000);

  it('allows WebAssembly only where Pagefind compiles it (the search page and its worker)', async () => {
    const search = parsePolicy((await get(server.url, '/tim-kiem')).headers.get('content-security-policy')!);
    expect(search.get('script-src')).toContain("'wasm-unsafe-eval'");
    const worker = await get(server.url, '/pagefind/pagefind-worker.js');
    expect(worker.status).toBe(200);
    expect(parsePolicy(worker.headers.get('content-security-policy')!).get('script-src')).toContain("'wasm-unsafe-eval'");
    for (const p of [LESSON, '/', '/khoa-hoc']) {
      expect(parsePolicy((await get(server.url, p)).headers.get('content-security-policy')!).get('script-src'), p).not.toContain("'wasm-unsafe-eval'");
    }
  });

  it('every kind of response carries one', async () => {
    const c = new Client(server.url);
    // A demo citizen: signed-in pages, and the 403 page of the management area.
    expect((await c.post('/dang-nhap', { phone: '0912000001', password: 'hoc-thu-2026', next: '/' })).status).toBe(303);
    // A demo official: a malformed id in a page parameter is refused by the edge with the plain error page.
    const official = new Client(server.url);
    expect((await official.post('/dang-nhap', { phone: '0912000010', password: 'hoc-thu-2026', next: '/' })).status).toBe(303);
    const cases: [string, () => Promise<Response>, number][] = [
      ['static lesson', () => c.get(LESSON), 200],
      ['on-demand page (home, signed in)', () => c.get('/'), 200],
      ['on-demand page (course, guest)', () => fetch(`${server.url}/khoa-hoc/trinh-duyet-an-toan/nguoi-dan`), 200],
      ['dashboard refusal (403 page)', () => c.get('/quan-ly'), 403],
      ['404 page', () => fetch(`${server.url}/khong-co-trang-nay`), 404],
      ['malformed page parameter (404 from the edge)', () => official.get('/quan-ly/thanh-vien/khong-phai-uuid'), 404],
      ['on-demand page answering 404 (unknown certificate)', () => fetch(`${server.url}/chung-nhan/HS4VN-XXXXX`), 404],
      ['error page of an API route', () => fetch(`${server.url}/chung-nhan/HS4VN-XXXXX.pdf`), 404],
      ['redirect', () => fetch(`${server.url}/tai-khoan`, { redirect: 'manual' }), 303],
      ['cross-site POST refused', () => fetch(`${server.url}/dang-xuat`, { method: 'POST', headers: { origin: 'https://evil.example', 'content-type': 'application/json' }, body: '{}' }), 403],
      ['API JSON', () => fetch(`${server.url}/healthz`), 200],
      ['JWKS', () => fetch(`${server.url}/.well-known/jwks.json`), 200],
      ['static file', () => fetch(`${server.url}/favicon.svg`), 200],
      ['calendar feed', () => fetch(`${server.url}/lich.ics`), 200],
    ];
    for (const [name, request, status] of cases) {
      const r = await request();
      expect(r.status, name).toBe(status);
      const body = await r.text();
      const html = (r.headers.get('content-type') ?? '').includes('text/html') ? body : undefined;
      expectDocumentPolicy(name, r.headers.get('content-security-policy'), html);
      expect(r.headers.get('cross-origin-opener-policy'), name).toBe('same-origin');
      expect(r.headers.get('x-content-type-options'), name).toBe('nosniff');
      expect(r.headers.get('strict-transport-security'), `${name}: HSTS outside production`).toBeNull();
    }
  });
});

describe('cross-origin access', () => {
  it('keeps pages and assets same-origin', async () => {
    for (const p of [LESSON, '/', '/favicon.svg', '/healthz']) {
      const r = await get(server.url, p);
      expect(r.headers.get('cross-origin-resource-policy'), p).toBe('same-origin');
      expect(r.headers.get('access-control-allow-origin'), p).toBeNull();
    }
  });

  it('lets verifiers on other sites fetch the public machine-readable routes, refusals included', async () => {
    const c = new Client(server.url);
    expect((await c.post('/dang-nhap', { phone: '0912000004', password: 'hoc-thu-2026', next: '/' })).status).toBe(303);
    const mine = await (await c.get('/chung-nhan-cua-toi')).text();
    const code = /\/chung-nhan\/([A-Z0-9-]+)\.pdf/.exec(mine)![1]!;
    const origin = { origin: 'https://verifier.example' };
    for (const [p, status] of [
      [`/chung-nhan/${code}.json`, 200],
      [`/chung-nhan/${code}.jwt`, 200],
      [`/chung-nhan/${code}.png`, 200],
      [`/chung-nhan/${code}.pdf`, 200],
      ['/chung-nhan/to-chuc-cap.json', 200],
      ['/.well-known/jwks.json', 200],
      ['/chung-nhan/HS4VN-XXXXX.json', 404],
    ] as const) {
      const r = await get(server.url, p, origin);
      expect(r.status, p).toBe(status);
      expect(r.headers.get('access-control-allow-origin'), p).toBe('*');
      expect(r.headers.get('cross-origin-resource-policy'), p).toBe('cross-origin');
      expect(r.headers.get('content-security-policy'), p).toMatch(/frame-ancestors 'none'/);
    }
    // The PDF's policy leaves the browser's PDF viewer alone but still forbids framing.
    const pdf = await get(server.url, `/chung-nhan/${code}.pdf`);
    expect(parsePolicy(pdf.headers.get('content-security-policy')!).get('frame-ancestors')).toEqual(["'none'"]);
  });
});

describe('in production (NODE_ENV=production, over plain HTTP)', () => {
  let prod: TestServer;
  beforeAll(async () => {
    prod = await startServer({ NODE_ENV: 'production' });
  }, 90_000);
  afterAll(() => prod?.stop());

  /** The raw Set-Cookie lines of a response, as a browser receives them (no cookie jar in between). */
  const rawRequest = (p: string, init: { method?: string; body?: string; headers?: Record<string, string> } = {}) =>
    new Promise<{ status: number; headers: http.IncomingHttpHeaders }>((resolve, reject) => {
      const req = http.request(prod.url + p, { method: init.method ?? 'GET', headers: init.headers }, (res) => {
        res.resume();
        res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers }));
      });
      req.on('error', reject);
      req.end(init.body);
    });

  it('sends HSTS and the same policy on every kind of response', async () => {
    for (const p of [LESSON, '/', '/khong-co-trang-nay', '/healthz', '/favicon.svg', '/tai-khoan']) {
      const r = await get(prod.url, p);
      expect(r.headers.get('strict-transport-security'), p).toBe('max-age=63072000; includeSubDomains');
      expectDocumentPolicy(p, r.headers.get('content-security-policy'), (r.headers.get('content-type') ?? '').includes('text/html') ? r.body : undefined);
    }
  });

  it('sets __Host- session and guest cookies: Secure, HttpOnly, SameSite=Lax, Path=/, no Domain; the session works', async () => {
    const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();
    const headers = { origin: prod.url, 'content-type': 'application/x-www-form-urlencoded' };
    const signUp = await rawRequest('/dang-ky', {
      method: 'POST',
      headers,
      body: form({ displayName: 'Nguyễn Văn Thử', phone: '0987654321', password: 'vườn nhà có ba cây bưởi', next: '/' }),
    });
    expect(signUp.status).toBe(303);
    const cookies = signUp.headers['set-cookie'] ?? [];
    const session = cookies.find((c) => c.startsWith('__Host-hs_session='));
    expect(session, cookies.join('\n')).toBeTruthy();
    const attrs = session!.split(';').slice(1).map((a) => a.trim().toLowerCase());
    expect(attrs).toContain('secure');
    expect(attrs).toContain('httponly');
    expect(attrs).toContain('samesite=lax');
    expect(attrs).toContain('path=/');
    expect(attrs.some((a) => a.startsWith('domain='))).toBe(false);
    expect(cookies.some((c) => /^hs_session=/.test(c))).toBe(false);

    // A browser on https would send it back under the same name: the account page knows the user.
    const pair = session!.split(';')[0]!;
    const account = await get(prod.url, '/tai-khoan', { cookie: pair });
    expect(account.status).toBe(200);
    expect(account.body).toContain('Nguyễn Văn Thử');
    // The unprefixed development name means nothing in production.
    const plain = await get(prod.url, '/tai-khoan', { cookie: pair.replace('__Host-', '') });
    expect(plain.status).toBe(303);

    // A guest marking a lesson done gets the guest cookie, with the same attributes.
    const done = await rawRequest(paths.markDone('trinh-duyet-an-toan', 'citizen', 'doc-dia-chi'), { method: 'POST', headers, body: '' });
    expect(done.status).toBe(303);
    const guest = (done.headers['set-cookie'] ?? []).find((c) => c.includes('hs_guest='));
    expect(guest).toMatch(/^__Host-hs_guest=[a-z2-7]{24};/);
    const g = guest!.split(';').slice(1).map((a) => a.trim().toLowerCase());
    expect(g).toEqual(expect.arrayContaining(['secure', 'httponly', 'samesite=lax', 'path=/']));
    expect(g.some((a) => a.startsWith('domain='))).toBe(false);
  });
});

describe('with the database down', () => {
  let down: TestServer;
  beforeAll(async () => {
    const closed = await freePort(); // nothing listens there
    down = await startServer({ DATABASE_URL: `postgres://postgres@127.0.0.1:${closed}/hocso` }, { waitHealthy: false });
  }, 90_000);
  afterAll(() => down?.stop());

  it('the 500 page carries its policy too', async () => {
    const r = await get(down.url, '/', { cookie: 'hs_session=aaaaaaaaaaaaaaaaaaaaaaaa.bbbbbbbbbbbbbbbbbbbbbbbb' });
    expect(r.status).toBe(500);
    expect(r.body).toMatch(/Hệ thống đang gặp sự cố/);
    expectDocumentPolicy('500 page', r.headers.get('content-security-policy'), r.body);
    const health = await get(down.url, '/healthz');
    expect(health.status).toBe(503);
    expectDocumentPolicy('/healthz (503)', health.headers.get('content-security-policy'));
  });
});
