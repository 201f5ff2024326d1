/** The Open Badges signing key: refused in production without OB_SIGNING_KEY, kept in DATA_DIR otherwise. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { calculateJwkThumbprint } from 'jose';
import { afterEach, describe, expect, it, vi } from 'vitest';

const saved = { ...process.env };
afterEach(() => {
  process.env = { ...saved };
  vi.resetModules();
});

const load = () => import('../../src/server/certificates/signing.ts');

describe('signing key', () => {
  it('is refused in production without OB_SIGNING_KEY, with a clear message', async () => {
    process.env.NODE_ENV = 'production';
    delete process.env.OB_SIGNING_KEY;
    const { signingKey, SigningKeyError } = await load();
    const err = await signingKey().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SigningKeyError);
    expect((err as Error).message).toMatch(/OB_SIGNING_KEY.*npm run keys:generate/s);
  });

  it('uses OB_SIGNING_KEY in production; the key id is the JWK thumbprint; no private part in the JWKS', async () => {
    const { generateSigningJwk } = await load();
    const jwk = await generateSigningJwk();
    process.env.NODE_ENV = 'production';
    process.env.OB_SIGNING_KEY = JSON.stringify(jwk);
    vi.resetModules();
    const { signingKey } = await load();
    const key = await signingKey();
    expect(key.kid).toBe(await calculateJwkThumbprint({ kty: 'OKP', crv: 'Ed25519', x: jwk.x! }));
    expect(key.publicJwk).toEqual({ kty: 'OKP', crv: 'Ed25519', x: jwk.x, kid: key.kid, alg: 'EdDSA', use: 'sig' });
  });

  it('refuses a malformed OB_SIGNING_KEY', async () => {
    process.env.OB_SIGNING_KEY = '{"kty":"RSA"}';
    const { signingKey, SigningKeyError } = await load();
    await expect(signingKey()).rejects.toBeInstanceOf(SigningKeyError);
  });

  it('outside production generates one key on first use and keeps it in DATA_DIR', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hocso-key-'));
    try {
      delete process.env.OB_SIGNING_KEY;
      delete process.env.NODE_ENV;
      process.env.DATA_DIR = dir;
      const first = await (await load()).signingKey();
      const file = path.join(dir, 'ob-signing-key.json');
      expect(fs.statSync(file).mode & 0o777).toBe(0o600);
      vi.resetModules();
      const second = await (await load()).signingKey();
      expect(second.kid).toBe(first.kid);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
