/**
 * Revocation as an outside verifier sees it, on the built server: a credential's credentialStatus
 * leads to a BitstringStatusListCredential signed as a VC-JWT with the key in /.well-known/jwks.json;
 * its bitstring, decoded with @digitalbazaar/vc-bitstring-status-list, says revoked or not. A copy of
 * the .jwt saved before a reissue or a revocation still verifies, and its status says it no longer holds.
 */
import fs from 'node:fs';
import { decodeList } from '@digitalbazaar/vc-bitstring-status-list';
import { createLocalJWKSet, jwtVerify, type JSONWebKeySet, type JWTVerifyGetKey } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, startServer, type TestServer } from '../setup/server.ts';

const SITE = 'https://hocso.example.vn';
const ISSUER = `${SITE}/chung-nhan/to-chuc-cap.json`;
const CODE = 'HS4VN-2026D';
const STACK = /\bat [\w.<>]+ \(|node_modules|\.ts:\d+|Error:/;
let server: TestServer;
let keys: JWTVerifyGetKey;

beforeAll(async () => {
  if (!fs.existsSync('dist/server/entry.mjs')) throw new Error('Run `npm run build` first (npm test does it).');
  server = await startServer({ SITE_URL: SITE, TRUST_PROXY: '1' });
  keys = createLocalJWKSet((await (await fetch(`${server.url}/.well-known/jwks.json`)).json()) as JSONWebKeySet);
});
afterAll(() => server?.stop());

let clients = 0;
/** A client with its own address, as the rate limit sees it. */
function client(): Client {
  const c = new Client(server.url);
  const ip = `203.0.113.${++clients}`;
  const request = c.request.bind(c);
  c.request = (p, init = {}) => request(p, { ...init, headers: { ...Object.fromEntries(new Headers(init.headers)), 'x-forwarded-for': ip } });
  return c;
}

/** The server's address for a public URL at SITE_URL. */
const local = (url: string) => {
  expect(url.startsWith(`${SITE}/`), url).toBe(true);
  return url.slice(SITE.length);
};

interface StatusEntry {
  id: string;
  type: string;
  statusPurpose: string;
  statusListIndex: string;
  statusListCredential: string;
}

/**
 * What a verifier does with a VC-JWT: check its signature, fetch the list its credentialStatus names,
 * check the list's signature and issuer, and read the bit. Returns whether the credential is revoked.
 */
async function revoked(credentialJwt: string): Promise<boolean> {
  const { payload } = await jwtVerify(credentialJwt, keys, { algorithms: ['EdDSA'], typ: 'vc+jwt', issuer: ISSUER });
  const entry = payload.credentialStatus as StatusEntry;
  expect(entry).toMatchObject({ type: 'BitstringStatusListEntry', statusPurpose: 'revocation' });
  expect(entry.statusListIndex).toMatch(/^(0|[1-9][0-9]*)$/);
  const res = await client().get(local(entry.statusListCredential));
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toBe('application/vc+jwt');
  expect(res.headers.get('cache-control')).toBe('public, max-age=300');
  const list = await jwtVerify(await res.text(), keys, { algorithms: ['EdDSA'], typ: 'vc+jwt', issuer: ISSUER });
  const vc = list.payload as { id: string; type: string[]; issuer: string; validFrom: string; credentialSubject: { type: string; statusPurpose: string; encodedList: string } };
  expect(vc.id).toBe(entry.statusListCredential);
  expect(vc.type).toEqual(['VerifiableCredential', 'BitstringStatusListCredential']);
  expect(vc.issuer).toBe(payload.iss);
  expect(vc.credentialSubject).toMatchObject({ type: 'BitstringStatusList', statusPurpose: entry.statusPurpose });
  const bits = await decodeList({ encodedList: vc.credentialSubject.encodedList });
  expect(bits.length).toBeGreaterThanOrEqual(131_072);
  return bits.getStatus(Number(entry.statusListIndex));
}

async function signedIn(phone: string): Promise<Client> {
  const c = client();
  expect((await c.post('/dang-nhap', { phone, password: 'hoc-thu-2026', next: '/' })).status).toBe(303);
  return c;
}

describe('revocation status list', () => {
  it('lets any verifier see a reissued or revoked certificate as revoked, and a valid one as not', async () => {
    const saved = await (await client().get(`/chung-nhan/${CODE}.jwt`)).text();
    expect(await revoked(saved)).toBe(false);
    // The status list's key is the certificates' key.
    const [credentialKid, listKid] = [saved, await (await client().get('/chung-nhan/trang-thai/1')).text()].map(
      (jwt) => JSON.parse(Buffer.from(jwt.split('.')[0]!, 'base64url').toString('utf8')).kid,
    );
    expect(listKid).toBe(credentialKid);

    const admin = await signedIn('0912000009');
    const re = await admin.post('/quan-tri/chung-nhan', { action: 'reissue', code: CODE, name: 'Phạm Thị Thúy Hằng' });
    expect(re.status).toBe(303);
    const newCode = /ma=([0-9A-Z]{5}-[0-9A-Z]{5})/.exec(re.headers.get('location')!)![1]!;
    // The copy saved before the reissue still verifies, and its status now says it no longer holds.
    expect(await revoked(saved)).toBe(true);
    const fresh = await (await client().get(`/chung-nhan/${newCode}.jwt`)).text();
    expect(await revoked(fresh)).toBe(false);

    const rv = await admin.post('/quan-tri/chung-nhan', { action: 'revoke', code: newCode, reason: 'Người học nhờ người khác làm bài' });
    expect(rv.status).toBe(303);
    expect(await revoked(fresh)).toBe(true);
    expect(await revoked(saved)).toBe(true);
  });

  it('serves the unsigned JSON form too, and 404s lists that do not exist, before touching the database', async () => {
    const r = await client().get('/chung-nhan/trang-thai/1.json');
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toBe('application/ld+json; charset=utf-8');
    const vc = await r.json();
    expect(vc).toMatchObject({ id: `${SITE}/chung-nhan/trang-thai/1`, issuer: ISSUER, credentialSubject: { type: 'BitstringStatusList', statusPurpose: 'revocation', ttl: 300_000 } });
    expect((await decodeList({ encodedList: vc.credentialSubject.encodedList })).length).toBe(131_072);
    for (const p of ['/chung-nhan/trang-thai/2', '/chung-nhan/trang-thai/0', '/chung-nhan/trang-thai/01', '/chung-nhan/trang-thai/abc', '/chung-nhan/trang-thai/2147483647', '/chung-nhan/trang-thai/99999999999', '/chung-nhan/trang-thai/2.json']) {
      const res = await client().get(p);
      expect(res.status, p).toBe(404);
      const text = await res.text();
      expect(text, p).toContain('Không tìm thấy danh sách trạng thái chứng nhận này');
      expect(text, p).not.toMatch(STACK);
    }
  });
});

describe('certificate codes at the edge', () => {
  it('answers malformed codes with the Vietnamese 404 without counting them as guesses', async () => {
    const c = client();
    // More malformed requests than the guess limit allows unknown codes (20): none reach the database.
    const malformed = ['%3Cscript%3E', 'abc', 'HS4VN-2026', 'HS4VN-2026DD', 'UUUUU-UUUUU', `${'A'.repeat(41)}`, "1'%20or%201=1"];
    for (let i = 0; i < 4; i++) {
      for (const m of malformed) {
        for (const suffix of ['', '.pdf', '.json', '.jwt', '.png']) {
          const r = await c.get(`/chung-nhan/${m}${suffix}`);
          expect(r.status, m + suffix).toBe(404);
          const text = await r.text();
          expect(text).toContain('Không tìm thấy chứng nhận có mã này');
          expect(text).not.toMatch(STACK);
        }
      }
    }
    expect((await c.get(`/chung-nhan/${CODE}`)).status).toBe(200);
  });
});
