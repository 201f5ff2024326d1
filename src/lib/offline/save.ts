/**
 * Saving a course edition for offline use, from the page (it shows the progress): every lesson page
 * and asset of the edition's build manifest goes to the shared cache of public pages, and one check
 * form per lesson to the account's own cache. Then the edition is recorded with each lesson's hash.
 */
import { formatBytes, GUEST_OWNER, offlineDb, SAVED_CACHE, userCache, type EditionManifest, type SavedCourse } from './store.ts';

/** What the device says about its storage before saving. */
export interface StorageState {
  /** Whether the browser agreed to keep the data (navigator.storage.persist()); undefined when it cannot say. */
  persisted: boolean | undefined;
  /** Free bytes for this site, when the browser can estimate them. */
  free: number | undefined;
}

export async function storageState(ask: boolean): Promise<StorageState> {
  const s = navigator.storage;
  let persisted: boolean | undefined;
  try {
    persisted = s?.persist ? await (ask ? s.persist() : s.persisted()) : undefined;
  } catch {
    persisted = undefined;
  }
  let free: number | undefined;
  try {
    const e = s?.estimate ? await s.estimate() : undefined;
    if (e?.quota !== undefined) free = e.quota - (e.usage ?? 0);
  } catch {
    free = undefined;
  }
  return { persisted, free };
}

/** The account a check form was opened for (its hidden `owner` field). */
export function ownerOf(html: string): string {
  return /name="owner" value="([A-Za-z0-9_-]{1,40})"/.exec(html)?.[1] ?? GUEST_OWNER;
}

export async function fetchManifest(url: string): Promise<EditionManifest> {
  const r = await fetch(url, { credentials: 'same-origin', cache: 'no-cache' });
  if (!r.ok) throw new Error(`manifest ${r.status}`);
  return (await r.json()) as EditionManifest;
}

/** The Vietnamese size line shown before saving. */
export function sizeText(m: EditionManifest): string {
  return `khoảng ${formatBytes(m.bytes)} (${m.lessons.length} bài học, tải về khoảng ${formatBytes(m.transferBytes)})`;
}

/**
 * Downloads and stores the edition; `progress(done, total)` after each file. Throws on the first
 * failure (the connection dropped): what was stored stays, and saving again finishes it.
 */
export async function saveEdition(manifestUrl: string, m: EditionManifest, progress: (done: number, total: number) => void): Promise<SavedCourse> {
  const shared = await caches.open(SAVED_CACHE);
  const jobs: [string, boolean][] = [...m.lessons.flatMap((l): [string, boolean][] => [[l.url, false], [l.check.url, true]]), ...m.assets.map((a): [string, boolean] => [a.url, false])];
  let done = 0;
  let owner = GUEST_OWNER;
  progress(0, jobs.length);
  // One request at a time: a slow link finishes each file instead of stalling them all.
  for (const [url, isCheck] of jobs) {
    const r = await fetch(url, { credentials: 'same-origin', cache: 'no-cache' });
    if (!r.ok) throw new Error(`${url} ${r.status}`);
    if (isCheck) {
      // A check form belongs to the account it was opened for (its `owner` field): that account's cache.
      const html = await r.text();
      owner = ownerOf(html);
      await (await caches.open(userCache(owner))).put(url, new Response(html, { status: r.status, headers: r.headers }));
    } else {
      await shared.put(url, r);
    }
    progress(++done, jobs.length);
  }
  const saved: SavedCourse = {
    id: `${m.course}/${m.editionSlug}`,
    title: m.title,
    editionLabel: m.editionLabel,
    url: m.url,
    manifestUrl,
    bytes: m.bytes,
    savedAt: Date.now(),
    owner,
    lessons: m.lessons.map((l) => ({ url: l.url, title: l.title, hash: l.hash, check: l.check.url })),
  };
  await (await offlineDb()).put('courses', saved);
  return saved;
}

/** Removes a saved edition: its pages (unless another saved edition shares them) and its check forms. */
export async function deleteSaved(id: string): Promise<void> {
  const db = await offlineDb();
  const course = await db.get('courses', id);
  if (!course) return;
  await db.delete('courses', id);
  const others = new Set((await db.getAll('courses')).flatMap((c) => c.lessons.map((l) => l.url)));
  const shared = await caches.open(SAVED_CACHE);
  const own = await caches.open(userCache(course.owner));
  for (const l of course.lessons) {
    if (!others.has(l.url)) await shared.delete(l.url);
    await own.delete(l.check);
  }
}

/** Lessons whose saved copy differs from the deployed one (manifest fetched fresh). */
export function outdatedLessons(saved: SavedCourse, m: EditionManifest): string[] {
  const now = new Map(m.lessons.map((l) => [l.url, l.hash]));
  const changed = saved.lessons.filter((l) => now.get(l.url) !== l.hash).map((l) => l.url);
  const added = m.lessons.filter((l) => !saved.lessons.some((s) => s.url === l.url)).map((l) => l.url);
  return [...changed, ...added];
}
