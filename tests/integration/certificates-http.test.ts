/** Certificates over HTTP on the built server: the public page, PDF, image, Open Badges JSON and VC-JWT, admin. */
import fs from 'node:fs';
import { createLocalJWKSet, generateKeyPair, jwtVerify, SignJWT, type JSONWebKeySet } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_ISSUER_NAME } from '../../src/server/config.ts';
import { Client, startServer, type TestServer } from '../setup/server.ts';
import { pdfInfo, pdfLines, pdfQrText, pngSize } from '../setup/pdf.ts';

const SITE = 'https://hocso.example.vn';
const CODE = 'HS4VN-2026D';
const GRADUATE = 'Phạm Thị Thu Hằng';
const STACK = /\bat [\w.<>]+ \(|node_modules|\.ts:\d+|Error:/;
let server: TestServer;

beforeAll(async () => {
  if (!fs.existsSync('dist/server/entry.mjs')) throw new Error('Run `npm run build` first (npm test does it).');
  // TRUST_PROXY lets each test be its own client (X-Forwarded-For) for the rate limit.
  server = await startServer({ SITE_URL: SITE, TRUST_PROXY: '1' });
});
afterAll(() => server?.stop());

let clients = 0;
/** A client with its own address, as the rate limit sees it. */
function client(): Client {
  const c = new Client(server.url);
  const ip = `198.51.100.${++clients}`;
  const request = c.request.bind(c);
  c.request = (p, init = {}) => request(p, { ...init, headers: { ...Object.fromEntries(new Headers(init.headers)), 'x-forwarded-for': ip } });
  return c;
}

async function signedIn(phone: string): Promise<Client> {
  const c = client();
  const r = await c.post('/dang-nhap', { phone, password: 'hoc-thu-2026', next: '/' });
  expect(r.status).toBe(303);
  return c;
}

const bytes = async (r: Response) => new Uint8Array(await r.arrayBuffer());

describe('public verification page', () => {
  it('shows name, course, edition, date, issuer and validity without sign-in, with Open Graph tags at SITE_URL', async () => {
    const r = await client().get(`/chung-nhan/${CODE}`);
    expect(r.status).toBe(200);
    const html = await r.text();
    for (const s of [GRADUATE, 'Sử dụng trình duyệt an toàn', 'Người dân', 'Ngày cấp', DEFAULT_ISSUER_NAME, 'Chứng nhận này còn hiệu lực', CODE]) expect(html).toContain(s);
    expect(html).toMatch(/\d{2}\/\d{2}\/\d{4}/);
    expect(html).toContain(`<meta property="og:image" content="${SITE}/chung-nhan/${CODE}.png">`);
    expect(html).toContain(`<meta property="og:url" content="${SITE}/chung-nhan/${CODE}">`);
    expect(html).toMatch(/<meta property="og:title" content="Chứng nhận của Phạm Thị Thu Hằng: Sử dụng trình duyệt an toàn">/);
    expect(html).toMatch(/<meta property="og:description" content="[^"]*còn hiệu lực/);
    expect(html).toContain('<meta property="og:image:width" content="1200">');
    // No third-party script.
    expect(html).not.toMatch(/<script[^>]+src=/);
  });

  it('sends typed variants of a code to the canonical address', async () => {
    for (const typed of ['hs4vn-2026d', 'HS4VN2026D', 'hs4vn2o26d']) {
      const r = await client().get(`/chung-nhan/${typed}`);
      expect(r.status).toBe(301);
      expect(r.headers.get('location')).toBe(`/chung-nhan/${CODE}`);
    }
    const form = await client().get('/chung-nhan?ma=hs4vn+2026d');
    expect(form.status).toBe(303);
    expect(form.headers.get('location')).toBe(`/chung-nhan/${CODE}`);
    const bad = await client().get('/chung-nhan?ma=abc');
    expect(bad.status).toBe(400);
    expect(await bad.text()).toContain('Mã xác minh gồm 10 chữ và số');
  });

  it('answers an unknown or malformed code with a friendly 404, never a stack trace', async () => {
    for (const p of ['/chung-nhan/ZZZZZ-ZZZZZ', '/chung-nhan/%3Cscript%3E', '/chung-nhan/ZZZZZ-ZZZZZ.pdf', '/chung-nhan/ZZZZZ-ZZZZZ.json', '/chung-nhan/ZZZZZ-ZZZZZ.jwt']) {
      const r = await client().get(p);
      expect(r.status, p).toBe(404);
      const text = await r.text();
      expect(text).toContain('Không tìm thấy chứng nhận có mã này');
      expect(text).not.toMatch(STACK);
    }
  });

  it('rate-limits guessing per client: 429 with a Vietnamese message, even for a real code', async () => {
    const guesser = client();
    for (let i = 0; i < 20; i++) expect((await guesser.get(`/chung-nhan/ZZZZZ-${String(i).padStart(5, '0')}`)).status).toBe(404);
    const blocked = await guesser.get('/chung-nhan/ZZZZZ-99999');
    expect(blocked.status).toBe(429);
    expect(await blocked.text()).toMatch(/Bạn đã tra quá nhiều mã không đúng. Vui lòng đợi \d+ phút/);
    expect((await guesser.get(`/chung-nhan/${CODE}`)).status).toBe(429);
    expect((await guesser.get(`/chung-nhan/${CODE}.pdf`)).status).toBe(429);
    expect((await client().get(`/chung-nhan/${CODE}`)).status).toBe(200);
  });
});

describe('PDF and preview image', () => {
  it('serves an A4 landscape PDF with the name, the issuer, and a QR code to the page at SITE_URL', async () => {
    const r = await client().get(`/chung-nhan/${CODE}.pdf`);
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toBe('application/pdf');
    const pdf = await bytes(r);
    expect(pdfInfo(pdf)['Page size']).toMatch(/^841\.89 x 595\.28 pts/);
    const lines = pdfLines(pdf);
    expect(lines).toContain(GRADUATE);
    expect(lines).toContain(`Đơn vị cấp: ${DEFAULT_ISSUER_NAME}`);
    expect(lines).toContain(`${SITE}/chung-nhan/${CODE}`);
    expect(pdfQrText(pdf)).toBe(`${SITE}/chung-nhan/${CODE}`);
  });

  it('serves a 1200×630 PNG for link previews', async () => {
    const r = await client().get(`/chung-nhan/${CODE}.png`);
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toBe('image/png');
    expect(pngSize(await bytes(r))).toEqual({ width: 1200, height: 630 });
  });
});

describe('Open Badges 3.0', () => {
  it('serves the OpenBadgeCredential with VC 2.0 and OB 3.0 contexts, issuer profile and achievement criteria', async () => {
    const r = await client().get(`/chung-nhan/${CODE}.json`);
    expect(r.status).toBe(200);
    const vc = await r.json();
    expect(vc['@context']).toEqual(['https://www.w3.org/ns/credentials/v2', 'https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json']);
    expect(vc.type).toEqual(['VerifiableCredential', 'OpenBadgeCredential']);
    expect(vc.id).toBe(`${SITE}/chung-nhan/${CODE}`);
    expect(vc.issuer).toMatchObject({ id: `${SITE}/chung-nhan/to-chuc-cap.json`, type: ['Profile'], name: DEFAULT_ISSUER_NAME });
    expect(Date.parse(vc.validFrom)).not.toBeNaN();
    expect(vc.credentialSubject.type).toEqual(['AchievementSubject']);
    expect(vc.credentialSubject.identifier[0]).toMatchObject({ identityType: 'name', identityHash: GRADUATE, hashed: false });
    const a = vc.credentialSubject.achievement;
    expect(a.type).toEqual(['Achievement']);
    expect(a.name).toBe('Sử dụng trình duyệt an toàn (Người dân)');
    expect(a.criteria.narrative).toMatch(/bài kiểm tra cuối khóa/);
    const profile = await (await client().get('/chung-nhan/to-chuc-cap.json')).json();
    expect(profile).toMatchObject({ id: vc.issuer.id, type: ['Profile'], name: DEFAULT_ISSUER_NAME });
  });

  it('signs it as a VC-JWT that verifies against /.well-known/jwks.json; a tampered one fails', async () => {
    const jwksRes = await client().get('/.well-known/jwks.json');
    expect(jwksRes.status).toBe(200);
    const jwks = (await jwksRes.json()) as JSONWebKeySet;
    expect(jwks.keys).toHaveLength(1);
    expect(jwks.keys[0]).toMatchObject({ kty: 'OKP', crv: 'Ed25519', alg: 'EdDSA', use: 'sig' });
    expect(jwks.keys[0]).not.toHaveProperty('d');
    const keySet = createLocalJWKSet(jwks);

    const jwt = await (await client().get(`/chung-nhan/${CODE}.jwt`)).text();
    const { payload, protectedHeader } = await jwtVerify(jwt, keySet, { algorithms: ['EdDSA'], typ: 'vc+jwt', issuer: `${SITE}/chung-nhan/to-chuc-cap.json` });
    expect(protectedHeader.kid).toBe(jwks.keys[0]!.kid);
    const json = await (await client().get(`/chung-nhan/${CODE}.json`)).json();
    const { iss, jti, nbf, iat, ...credential } = payload;
    expect(credential).toEqual(json);
    expect(jti).toBe(json.id);

    // Change the name in the payload and keep the signature: verification must fail.
    const [h, p, s] = jwt.split('.');
    const forged = JSON.parse(Buffer.from(p!, 'base64url').toString('utf8'));
    forged.credentialSubject.identifier[0].identityHash = 'Kẻ Giả Mạo';
    const tampered = `${h}.${Buffer.from(JSON.stringify(forged)).toString('base64url')}.${s}`;
    await expect(jwtVerify(tampered, keySet, { algorithms: ['EdDSA'] })).rejects.toMatchObject({ code: 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED' });

    // The same credential signed by someone else's key under our kid fails too.
    const other = await generateKeyPair('Ed25519');
    const impostor = await new SignJWT(forged).setProtectedHeader({ alg: 'EdDSA', kid: protectedHeader.kid, typ: 'vc+jwt' }).sign(other.privateKey);
    await expect(jwtVerify(impostor, keySet, { algorithms: ['EdDSA'] })).rejects.toMatchObject({ code: 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED' });
  });
});

describe('Chứng nhận của tôi', () => {
  it('asks guests to sign in, and shows a learner only their own certificates with download and share', async () => {
    const guest = await client().get('/chung-nhan-cua-toi');
    expect(guest.status).toBe(303);
    expect(guest.headers.get('location')).toMatch(/^\/dang-nhap\?tiep=/);

    const mine = await (await (await signedIn('0912000004')).get('/chung-nhan-cua-toi')).text();
    expect(mine).toContain(`href="/chung-nhan/${CODE}.pdf"`);
    expect(mine).toContain(`value="${SITE}/chung-nhan/${CODE}"`);
    expect(mine).toContain('data-share=');
    expect(mine).toContain('navigator.share');

    const other = await (await (await signedIn('0912000001')).get('/chung-nhan-cua-toi')).text();
    expect(other).toContain('Bạn chưa có chứng nhận nào');
    expect(other).not.toContain(CODE);
  });
});

describe('admin', () => {
  it('refuses guests and non-admins (403), for pages and posts, and changes nothing', async () => {
    const guest = await client().get(`/quan-tri/chung-nhan?ma=${CODE}`);
    expect(guest.status).toBe(303);
    const learner = await signedIn('0912000001');
    const page = await learner.get(`/quan-tri/chung-nhan?ma=${CODE}`);
    expect(page.status).toBe(403);
    expect(await page.text()).toContain('chỉ dành cho quản trị viên');
    const post = await learner.post('/quan-tri/chung-nhan', { action: 'revoke', code: CODE, reason: 'Thử thu hồi trái phép' });
    expect(post.status).toBe(403);
    expect(await (await client().get(`/chung-nhan/${CODE}`)).text()).toContain('Chứng nhận này còn hiệu lực');
  });

  it('answers bad admin input with a Vietnamese 4xx and changes nothing', async () => {
    const admin = await signedIn('0912000009');
    expect((await admin.get(`/quan-tri/chung-nhan?ma=${CODE}`)).status).toBe(200);
    const cases: [Record<string, string>, number, RegExp][] = [
      [{ action: 'revoke', code: CODE, reason: 'abc' }, 400, /ít nhất 5 ký tự/],
      [{ action: 'reissue', code: CODE, name: '' }, 400, /Họ và tên/],
      [{ action: 'reissue', code: CODE, name: 'A<b>' }, 400, /không hợp lệ/],
      [{ action: 'xoa', code: CODE }, 400, /Thao tác không hợp lệ/],
      [{ action: 'revoke', code: 'ZZZZZ-ZZZZZ', reason: 'Lý do đầy đủ' }, 404, /Không tìm thấy chứng nhận/],
    ];
    for (const [fields, status, message] of cases) {
      const r = await admin.post('/quan-tri/chung-nhan', fields);
      expect(r.status, JSON.stringify(fields)).toBe(status);
      const text = await r.text();
      expect(text).toMatch(message);
      expect(text).not.toMatch(STACK);
    }
    const cross = await admin.post('/quan-tri/chung-nhan', { action: 'revoke', code: CODE, reason: 'Lý do đầy đủ' }, { origin: 'https://evil.example' });
    expect(cross.status).toBe(403);
    expect(await (await client().get(`/chung-nhan/${CODE}`)).text()).toContain('Chứng nhận này còn hiệu lực');
  });

  it('reissues with a corrected name (old code shows replaced), then revokes with a reason; page, PDF and JSON follow', async () => {
    const admin = await signedIn('0912000009');
    const re = await admin.post('/quan-tri/chung-nhan', { action: 'reissue', code: CODE, name: 'Phạm Thị Thúy Hằng' });
    expect(re.status).toBe(303);
    const newCode = /ma=([0-9A-Z]{5}-[0-9A-Z]{5})/.exec(re.headers.get('location')!)![1]!;
    expect(newCode).not.toBe(CODE);

    const oldPage = await (await client().get(`/chung-nhan/${CODE}`)).text();
    expect(oldPage).toContain('đã được cấp lại bằng mã khác');
    expect(oldPage).toContain(`href="/chung-nhan/${newCode}"`);
    const oldJson = await client().get(`/chung-nhan/${CODE}.json`);
    expect(oldJson.status).toBe(410);
    expect(await oldJson.json()).toMatchObject({ status: 'replaced', replacedBy: `${SITE}/chung-nhan/${newCode}` });
    expect((await client().get(`/chung-nhan/${CODE}.jwt`)).status).toBe(410);
    const oldPdf = pdfLines(await bytes(await client().get(`/chung-nhan/${CODE}.pdf`)));
    expect(oldPdf).toContain('ĐÃ ĐƯỢC CẤP LẠI — KHÔNG CÒN GIÁ TRỊ');
    expect(oldPdf).toContain(`Chứng nhận thay thế: ${newCode}`);

    const newPage = await (await client().get(`/chung-nhan/${newCode}`)).text();
    expect(newPage).toContain('Phạm Thị Thúy Hằng');
    expect(newPage).toContain('Chứng nhận này còn hiệu lực');
    expect(newPage).toContain(`thay cho chứng nhận <span class="nowrap">${CODE}</span>`);

    const rv = await admin.post('/quan-tri/chung-nhan', { action: 'revoke', code: newCode, reason: 'Người học nhờ người khác làm bài' });
    expect(rv.status).toBe(303);
    const revokedPage = await (await client().get(`/chung-nhan/${newCode}`)).text();
    expect(revokedPage).toContain('đã bị thu hồi');
    expect(revokedPage).toContain('Lý do: Người học nhờ người khác làm bài');
    const json = await client().get(`/chung-nhan/${newCode}.json`);
    expect(json.status).toBe(410);
    expect(await json.json()).toMatchObject({ status: 'revoked', revocationReason: 'Người học nhờ người khác làm bài' });
    const lines = pdfLines(await bytes(await client().get(`/chung-nhan/${newCode}.pdf`)));
    expect(lines).toContain('ĐÃ THU HỒI — KHÔNG CÒN GIÁ TRỊ');
    expect(lines).toContain('Phạm Thị Thúy Hằng');

    const mine = await (await (await signedIn('0912000004')).get('/chung-nhan-cua-toi')).text();
    expect(mine).toContain('Chứng nhận này đã bị thu hồi');
    expect(mine).not.toContain(`mã ${CODE}`);
  });
});
