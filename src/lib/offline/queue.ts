/**
 * The offline queue: answers made without a connection are kept in IndexedDB and sent when it
 * returns (Background Sync in the service worker where the browser has it, otherwise on the next
 * `online` event or page visit). Every send carries the item's idempotency key, so the server stores
 * it once however often it is replayed (a replay returns the stored result).
 */
import { currentOwner, GUEST_OWNER, offlineDb, VISIT_FORM, type QueuedItem } from './store.ts';

/** Outcome codes the server puts in `x-hocso-outcome` when it refuses a submission for good. */
const OUTCOMES: Record<string, string> = {
  stale: 'Bài kiểm tra đã thay đổi (hoặc phiếu đã quá 30 ngày) nên câu trả lời chưa được chấm. Hãy mở lại bài kiểm tra và làm lại.',
  owner: 'Bài làm này thuộc một tài khoản khác với tài khoản đang đăng nhập. Hãy đăng nhập đúng tài khoản đã làm bài rồi bấm “Gửi lại”.',
  invalid: 'Bài làm không hợp lệ nên chưa được chấm. Hãy mở lại bài kiểm tra và làm lại.',
};

/** The POST was answered with the sign-in page: the session of the account that made the item has ended. */
const SIGNED_OUT = 'Phiên đăng nhập trên máy này đã hết nên chưa gửi được. Hãy đăng nhập đúng tài khoản đã làm rồi bấm “Gửi lại”.';

const VISIT_REFUSED = 'Lượt hỗ trợ chưa được lưu vì có ô chưa hợp lệ (ví dụ hộ không còn trong tổ). Hãy mở “Ghi lượt hỗ trợ” khi có mạng và ghi lại.';

/** Adds an answer made offline to the queue. */
export async function enqueue(item: Omit<QueuedItem, 'status' | 'attempts' | 'createdAt'>): Promise<void> {
  const db = await offlineDb();
  await db.put('queue', { ...item, status: 'waiting', attempts: 0, createdAt: Date.now() });
}

/** Every queued item, newest first. */
export async function queuedItems(): Promise<QueuedItem[]> {
  const all = await (await offlineDb()).getAll('queue');
  return all.sort((a, b) => b.createdAt - a.createdAt);
}

/** Items still waiting to be sent that belong to the account using the device (every account's, when unknown). */
export async function waitingForAccount(): Promise<QueuedItem[]> {
  const me = await currentOwner();
  return (await queuedItems()).filter((i) => i.status === 'waiting' && i.owner !== GUEST_OWNER && (me === undefined || i.owner === me));
}

/** The form body as sent: the stored answers plus the idempotency key (a visit form names it `ma-gui`). */
export function bodyWithKey(item: Pick<QueuedItem, 'body' | 'key'> & { kind?: QueuedItem['kind'] }): string {
  const p = new URLSearchParams(item.body);
  p.set(item.kind === 'visit' ? 'ma-gui' : 'key', item.key);
  return p.toString();
}

/** Sends one item; returns its new state (not yet written). Network failures leave it waiting. */
export async function sendItem(item: QueuedItem): Promise<QueuedItem> {
  let res: Response;
  try {
    res = await fetch(item.url, {
      method: 'POST',
      body: bodyWithKey(item),
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      credentials: 'same-origin',
      redirect: 'follow',
    });
  } catch {
    return { ...item, attempts: item.attempts + 1 };
  }
  // Success: the server answers 303 to the result (or the recorded visit), which fetch follows. A redirect
  // anywhere else stored nothing: to sign-in when the session has ended (a visit needs one).
  if (res.ok && res.redirected) {
    const to = new URL(res.url);
    const stored =
      item.kind === 'visit' ? to.pathname.startsWith(`${VISIT_FORM}/`) : to.pathname === new URL(item.url, to).pathname && to.searchParams.has('ket-qua');
    if (stored) return { ...item, status: 'sent', resultUrl: to.pathname + to.search, sentAt: Date.now(), message: undefined, retryAt: undefined };
    if (to.pathname === '/dang-nhap') return { ...item, status: 'refused', message: SIGNED_OUT, attempts: item.attempts + 1 };
  }
  const outcome = res.headers.get('x-hocso-outcome');
  if (outcome && OUTCOMES[outcome]) return { ...item, status: 'refused', message: OUTCOMES[outcome], attempts: item.attempts + 1 };
  if (res.status === 400 || res.status === 403 || res.status === 404 || res.status === 409) {
    return { ...item, status: 'refused', message: item.kind === 'visit' ? VISIT_REFUSED : OUTCOMES.invalid, attempts: item.attempts + 1 };
  }
  // Too many at once: it stays in line, not before the time the server named, and the person is told so.
  if (res.status === 429) {
    const seconds = Math.max(1, Number(res.headers.get('retry-after')) || 60);
    const wait = seconds >= 60 ? `${Math.ceil(seconds / 60)} phút` : `${seconds} giây`;
    const what = item.kind === 'visit' ? 'lượt hỗ trợ này' : 'bài làm này';
    return { ...item, attempts: item.attempts + 1, retryAt: Date.now() + seconds * 1000, message: `Máy chủ đang tạm giới hạn số lần gửi nên chưa nhận ${what}. Máy sẽ tự gửi lại sau khoảng ${wait}, không cần ghi lại.` };
  }
  // 5xx, an unexpected answer: try again later.
  return { ...item, attempts: item.attempts + 1 };
}

let running: Promise<number> | undefined;

/** Sends every waiting item, one at a time (a slow 3G link gets one request at once). Returns how many were sent. */
export function sendQueued(): Promise<number> {
  running ??= (async () => {
    try {
      const db = await offlineDb();
      const waiting = await db.getAllFromIndex('queue', 'status', 'waiting');
      const me = await currentOwner();
      let sent = 0;
      for (const item of waiting.sort((a, b) => a.createdAt - b.createdAt)) {
        // The server asked this one to wait: the others still go.
        if (item.retryAt && item.retryAt > Date.now()) continue;
        // Another account's: it waits until that account is signed in on the device again.
        if (me !== undefined && item.owner !== GUEST_OWNER && item.owner !== me) continue;
        const next = await sendItem(item);
        // Written only if the item is still there: a sign-out may have dropped it while it was sent.
        const tx = db.transaction('queue', 'readwrite');
        if (await tx.store.get(item.key)) await tx.store.put(next);
        await tx.done;
        if (next.status === 'sent') sent++;
        // Offline again: stop, the rest waits for the next chance.
        if (next.status === 'waiting' && !next.retryAt) break;
      }
      return sent;
    } finally {
      running = undefined;
    }
  })();
  return running;
}

/** Puts a refused item back in line (the learner signed in with the right account, say). */
export async function retryItem(key: string): Promise<void> {
  const db = await offlineDb();
  const item = await db.get('queue', key);
  if (item && item.status !== 'sent') await db.put('queue', { ...item, status: 'waiting', message: undefined, retryAt: undefined });
}

export async function removeItem(key: string): Promise<void> {
  await (await offlineDb()).delete('queue', key);
}

/**
 * Sign-out of `owner`: drops that account's items, since the person chose to leave them, and what other
 * accounts already sent; never another account's unsent items (nor guests'). Every account's when unknown.
 */
export async function dropAccountItems(owner?: string): Promise<void> {
  const tx = (await offlineDb()).transaction('queue', 'readwrite');
  for (const item of await tx.store.getAll()) {
    if (item.owner !== GUEST_OWNER && (owner === undefined || item.owner === owner || item.status === 'sent')) await tx.store.delete(item.key);
  }
  await tx.done;
}

/** Refused only because the wrong account (or none) was signed in when they were sent. */
const ACCOUNT_REASONS = new Set([OUTCOMES.owner, SIGNED_OUT]);

/** `owner` is back on the device: its items refused for want of its session go back in line. Returns how many. */
export async function requeueFor(owner: string): Promise<number> {
  const tx = (await offlineDb()).transaction('queue', 'readwrite');
  let n = 0;
  for (const item of await tx.store.getAll()) {
    if (item.owner !== owner || item.status !== 'refused' || !ACCOUNT_REASONS.has(item.message ?? '')) continue;
    await tx.store.put({ ...item, status: 'waiting', message: undefined, retryAt: undefined });
    n++;
  }
  await tx.done;
  return n;
}

/**
 * Another account (or a guest) now uses the device: the items other accounts already sent go (their
 * labels name households and lessons); unsent ones stay, so nothing is lost, and wait for their account.
 */
export async function dropSentOfOthers(owner: string): Promise<void> {
  const tx = (await offlineDb()).transaction('queue', 'readwrite');
  for (const item of await tx.store.getAll()) if (item.owner !== GUEST_OWNER && item.owner !== owner && item.status === 'sent') await tx.store.delete(item.key);
  await tx.done;
}
