/// <reference lib="webworker" />
/**
 * The service worker (built by src/cli/service-worker.ts: bundled with esbuild, then Workbox's
 * injectManifest fills in the precache list from the build).
 *
 * - Precache: the app shell (the offline page, the saved-courses page, the web app manifest, the icon).
 * - Lesson pages (prerendered, public): a saved course's copy first (with a "có bản mới" banner when
 *   the deployed lesson changed), else stale-while-revalidate in a small cache of visited pages.
 * - Other pages: the network; offline, a check form saved for this account, a visited public page,
 *   or the offline page (which lists what is saved).
 * - Lesson-check POSTs get an idempotency key; when the network fails they are queued and sent later.
 * - Sign-out deletes every per-account cache and the accounts' queued items.
 * Only responses marked `Cache-Control: public` are ever cached by route: pages of one person never are.
 */
import { cleanupOutdatedCaches, matchPrecache, precacheAndRoute } from 'workbox-precaching';
import { registerRoute } from 'workbox-routing';
import { CacheFirst, NetworkFirst, StaleWhileRevalidate } from 'workbox-strategies';
import { ExpirationPlugin } from 'workbox-expiration';
import { clientsClaim, type RouteHandlerCallbackOptions } from 'workbox-core';
import {
  ASSETS_CACHE,
  currentOwner,
  GUEST_OWNER,
  MANIFESTS_CACHE,
  offlineDb,
  PAGES_CACHE,
  SAVED_CACHE,
  setCurrentOwner,
  USER_CACHE_PREFIX,
  userCache,
  VISIT_FORM,
  type EditionManifest,
} from '../lib/offline/store.ts';
import { bodyWithKey, dropAccountItems, dropSentOfOthers, enqueue, requeueFor, sendQueued } from '../lib/offline/queue.ts';

declare const self: ServiceWorkerGlobalScope & { __WB_MANIFEST: { url: string; revision: string | null }[] };

const OFFLINE_PAGE = '/ngoai-tuyen';
const SAVED_PAGE = '/da-luu';
const LESSON = /^\/khoa-hoc\/[^/]+\/[^/]+\/[^/]+$/;
const CHECK = /^\/khoa-hoc\/[^/]+\/[^/]+\/[^/]+\/kiem-tra$/;
const SYNC_TAG = 'hs-gui';

self.skipWaiting();
clientsClaim();
// /da-luu?… and /ngoai-tuyen?… are the same static pages: ignore every query parameter.
precacheAndRoute(self.__WB_MANIFEST, { ignoreURLParametersMatching: [/.*/] });
cleanupOutdatedCaches();

/** Only public responses may be kept where anyone using the phone could see them. */
const publicOnly = {
  cacheWillUpdate: async ({ response }: { response: Response }) =>
    response.ok && /\bpublic\b/.test(response.headers.get('cache-control') ?? '') && !/\b(private|no-store)\b/.test(response.headers.get('cache-control') ?? '')
      ? response
      : null,
};

const visited = new StaleWhileRevalidate({
  cacheName: PAGES_CACHE,
  // A cheap phone has little room: the 60 pages visited last.
  plugins: [publicOnly, new ExpirationPlugin({ maxEntries: 60, purgeOnQuotaError: true })],
});
const manifests = new NetworkFirst({ cacheName: MANIFESTS_CACHE, plugins: [new ExpirationPlugin({ maxEntries: 40, purgeOnQuotaError: true })] });

async function offlinePage(): Promise<Response> {
  return (await matchPrecache(OFFLINE_PAGE)) ?? new Response('Không có kết nối mạng.', { status: 503, headers: { 'content-type': 'text/plain; charset=utf-8' } });
}

/** The saved copy of a lesson, with a banner when the deployed lesson differs from it. */
async function savedLesson(url: URL, event: ExtendableEvent): Promise<Response | undefined> {
  const cached = await (await caches.open(SAVED_CACHE)).match(url.pathname);
  if (!cached) return undefined;
  const db = await offlineDb();
  const course = (await db.getAll('courses')).find((c) => c.lessons.some((l) => l.url === url.pathname));
  if (!course) return cached;
  // Compare with the manifest as last fetched, and refresh it in the background for next time.
  const known = await (await caches.open(MANIFESTS_CACHE)).match(course.manifestUrl);
  if (navigator.onLine) event.waitUntil(manifests.handle({ request: new Request(course.manifestUrl), event }).catch(() => undefined));
  if (!known) return cached;
  const manifest = (await known.json()) as EditionManifest;
  const deployed = manifest.lessons.find((l) => l.url === url.pathname)?.hash;
  const saved = course.lessons.find((l) => l.url === url.pathname)?.hash;
  if (!deployed || deployed === saved) return cached;
  const html = await cached.text();
  const banner = `<div class="notice warn" role="status" id="co-ban-moi"><p>Bài học này có bản mới. Bạn đang đọc bản đã lưu trên máy. <a href="${SAVED_PAGE}#luu-${encodeURIComponent(course.id)}">Cập nhật khóa học đã lưu</a></p></div>`;
  return new Response(html.replace(/(<main\b[^>]*>)/, `$1${banner}`), { status: 200, headers: cached.headers });
}

/** A page from any cache of this device (saved courses, visited pages, this account's check forms). */
async function fromCaches(url: URL): Promise<Response | undefined> {
  for (const name of [SAVED_CACHE, PAGES_CACHE]) {
    const hit = await (await caches.open(name)).match(url.pathname);
    if (hit) return hit;
  }
  if ((CHECK.test(url.pathname) && !url.search) || url.pathname === VISIT_FORM) {
    for (const name of (await caches.keys()).filter((n) => n.startsWith(USER_CACHE_PREFIX))) {
      const hit = await (await caches.open(name)).match(url.pathname);
      if (!hit) continue;
      if (url.pathname !== VISIT_FORM) return hit;
      // Each visit form shown offline gets a key of its own (the saved one was used when it was opened).
      const html = (await hit.text()).replace(/name="ma-gui" value="[^"]*"/, `name="ma-gui" value="${crypto.randomUUID()}"`);
      return new Response(html, { status: 200, headers: hit.headers });
    }
  }
  return undefined;
}

/**
 * A page made on the server names the account it was made for (`x-hocso-owner`, or "khach"): the caches of
 * every other account go, so what one person left (their team's households, their check forms) is never
 * shown offline to the next person on the phone, even when the first one's session ended without signing out.
 */
async function keepOnlyOwner(res: Response): Promise<void> {
  const owner = res.headers.get('x-hocso-owner');
  if (!owner || !/^[A-Za-z0-9_-]{1,40}$/.test(owner)) return;
  const mine = userCache(owner);
  for (const name of await caches.keys()) if (name.startsWith(USER_CACHE_PREFIX) && name !== mine) await caches.delete(name);
  await dropSentOfOthers(owner);
  if ((await currentOwner()) === owner) return;
  await setCurrentOwner(owner);
  // Its answers that waited (or were refused) while another account, or none, was signed in are sent now.
  if (owner !== GUEST_OWNER) {
    await requeueFor(owner);
    await sendAndTell();
  }
}

/** The help-visit form, fetched online, is kept in the cache of the account it was opened for. */
async function keepVisitForm(res: Response): Promise<void> {
  if (!res.ok) return;
  const html = await res.clone().text();
  const owner = /name="owner" value="([A-Za-z0-9_-]{1,40})"/.exec(html)?.[1];
  if (owner) await (await caches.open(userCache(owner))).put(VISIT_FORM, new Response(html, { status: 200, headers: res.headers }));
}

// Lesson pages.
registerRoute(
  ({ request, url }) => request.mode === 'navigate' && url.origin === self.location.origin && LESSON.test(url.pathname) && !url.search,
  async (options: RouteHandlerCallbackOptions) => {
    const { url, event } = options;
    const saved = await savedLesson(url, event as ExtendableEvent);
    if (saved) return saved;
    try {
      return await visited.handle(options);
    } catch {
      return offlinePage();
    }
  },
);

// Every other page: network, then what the device has.
registerRoute(
  ({ request, url }) => request.mode === 'navigate' && url.origin === self.location.origin,
  async ({ request, url, event }) => {
    try {
      const res = await fetch(request);
      // The copy is taken now: the page reads the body of `res` as soon as it is returned.
      const form = url.pathname === VISIT_FORM ? res.clone() : undefined;
      (event as ExtendableEvent).waitUntil(keepOnlyOwner(res).then(() => (form ? keepVisitForm(form) : undefined)));
      return res;
    } catch {
      return (await fromCaches(url)) ?? offlinePage();
    }
  },
);

// Assets are immutable (hashed names).
registerRoute(
  ({ url }) => url.origin === self.location.origin && url.pathname.startsWith('/_astro/'),
  new CacheFirst({ cacheName: ASSETS_CACHE, plugins: [publicOnly, new ExpirationPlugin({ maxEntries: 60, purgeOnQuotaError: true })] }),
);
registerRoute(({ url }) => url.origin === self.location.origin && url.pathname.startsWith('/offline/') && url.pathname.endsWith('.json'), manifests);

/**
 * Sends a lesson check (with an idempotency key made here) or a help visit (its form carries one, `ma-gui`);
 * queues it when the network fails.
 */
async function postQueued(request: Request, kind: 'check' | 'visit'): Promise<Response> {
  const body = await request.clone().text();
  const fields = new URLSearchParams(body);
  const key = kind === 'visit' && /^[0-9a-f-]{36}$/.test(fields.get('ma-gui') ?? '') ? fields.get('ma-gui')! : crypto.randomUUID();
  const sent = bodyWithKey({ body, key, kind });
  try {
    return await fetch(new Request(request.url, { method: 'POST', body: sent, headers: { 'content-type': 'application/x-www-form-urlencoded' }, credentials: 'same-origin', redirect: 'manual' }));
  } catch {
    fields.delete('key');
    fields.delete('ma-gui');
    const url = new URL(request.url);
    await enqueue({
      key,
      kind,
      owner: fields.get('owner') || GUEST_OWNER,
      url: url.pathname,
      body: fields.toString(),
      label: kind === 'visit' ? await visitLabel(fields) : await checkLabel(url.pathname),
    });
    try {
      await (self.registration as unknown as { sync?: { register(tag: string): Promise<void> } }).sync?.register(SYNC_TAG);
    } catch {
      /* no Background Sync: sent on the next online event or visit */
    }
    return Response.redirect(`${SAVED_PAGE}?${kind === 'visit' ? 'da-luu-luot' : 'da-luu-bai'}=1#cho-gui`, 303);
  }
}

/** "Lượt hỗ trợ: <household>, <date>" from the saved form's options. */
async function visitLabel(fields: URLSearchParams): Promise<string> {
  const page = await fromCaches(new URL(VISIT_FORM, self.location.origin));
  const html = page ? await page.text() : '';
  const ho = fields.get('ho') ?? '';
  const option = ho ? new RegExp(`<option value="${ho.replace(/[^A-Za-z0-9-]/g, '')}"[^>]*>([^<]*)</option>`).exec(html)?.[1] : undefined;
  const date = (fields.get('ngay') ?? '').split('-').reverse().join('/');
  return `Lượt hỗ trợ: ${(option ?? 'hộ ẩn danh').replace(/&amp;/g, '&')}${date ? `, ngày ${date}` : ''}`;
}

/** "Kiểm tra nhanh: <lesson title>" from the saved form, or the path. */
async function checkLabel(path: string): Promise<string> {
  const page = await fromCaches(new URL(path, self.location.origin));
  const title = page ? /<title>([^<]*)<\/title>/.exec(await page.text())?.[1] : undefined;
  return (title ?? path).replace(/ · Học Số$/, '').replace(/&amp;/g, '&');
}

// Form submissions only: replays sent by pages (src/lib/offline/queue.ts) go to the network as they are.
registerRoute(({ request, url }) => request.mode === 'navigate' && url.origin === self.location.origin && CHECK.test(url.pathname), ({ request }) => postQueued(request, 'check'), 'POST');
registerRoute(({ request, url }) => request.mode === 'navigate' && url.origin === self.location.origin && url.pathname === VISIT_FORM, ({ request }) => postQueued(request, 'visit'), 'POST');

// Sign-out: forget everything that belongs to an account on this device.
registerRoute(
  ({ request, url }) => request.mode === 'navigate' && url.origin === self.location.origin && url.pathname === '/dang-xuat',
  async ({ request }) => {
    let res: Response;
    try {
      res = await fetch(request);
    } catch {
      // No connection: the session is still open on the server, so nothing is cleared; say why in Vietnamese.
      return offlinePage();
    }
    if (res.ok || res.type === 'opaqueredirect' || (res.status >= 300 && res.status < 400)) {
      for (const name of await caches.keys()) if (name.startsWith(USER_CACHE_PREFIX)) await caches.delete(name);
      await dropAccountItems(await currentOwner());
      await setCurrentOwner(GUEST_OWNER);
    }
    return res;
  },
  'POST',
);

interface SyncEvent extends ExtendableEvent {
  tag: string;
}
/** Sends what waits, then tells open pages so their lists show the results. */
async function sendAndTell(): Promise<void> {
  const sent = await sendQueued().catch(() => 0);
  if (sent) for (const c of await self.clients.matchAll({ type: 'window', includeUncontrolled: true })) c.postMessage('da-gui');
}
self.addEventListener('sync', (event) => {
  const e = event as SyncEvent;
  if (e.tag === SYNC_TAG) e.waitUntil(sendAndTell());
});
// Pages say when the connection is back, or on each visit (browsers without Background Sync).
self.addEventListener('message', (event) => {
  if (event.data === 'gui') event.waitUntil(sendAndTell());
});
