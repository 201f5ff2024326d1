/**
 * The Ed25519 key that signs Open Badges credentials (VC-JWT). Production reads OB_SIGNING_KEY (a
 * private JWK as JSON) and refuses to sign without it; elsewhere a key is generated on first use and
 * kept in DATA_DIR/ob-signing-key.json (git-ignored), so links and signatures survive restarts.
 * The key id is the JWK thumbprint (RFC 7638) of the public key.
 */
import fs from 'node:fs';
import path from 'node:path';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, importJWK, SignJWT, type JWK } from 'jose';
import { dataDir, isProduction } from '../config.ts';

/** Signing is not configured (production without OB_SIGNING_KEY, or a malformed key). */
export class SigningKeyError extends Error {}

export interface SigningKey {
  kid: string;
  privateKey: CryptoKey;
  /** Public JWK with kid, alg and use, for the JWKS. */
  publicJwk: JWK;
}

/** A new private Ed25519 JWK (what `npm run keys:generate` prints). */
export async function generateSigningJwk(): Promise<JWK> {
  const { privateKey } = await generateKeyPair('Ed25519', { extractable: true });
  return exportJWK(privateKey);
}

function parseJwk(text: string, source: string): JWK {
  let jwk: JWK;
  try {
    jwk = JSON.parse(text) as JWK;
  } catch {
    throw new SigningKeyError(`${source} không phải JSON hợp lệ (cần một JWK Ed25519 bí mật; tạo bằng "npm run keys:generate").`);
  }
  if (jwk.kty !== 'OKP' || jwk.crv !== 'Ed25519' || typeof jwk.d !== 'string' || typeof jwk.x !== 'string') {
    throw new SigningKeyError(`${source} phải là JWK Ed25519 bí mật (kty "OKP", crv "Ed25519", có "d" và "x").`);
  }
  return jwk;
}

async function loadJwk(): Promise<JWK> {
  const env = process.env.OB_SIGNING_KEY;
  if (env && env.trim()) return parseJwk(env, 'OB_SIGNING_KEY');
  if (isProduction()) {
    throw new SigningKeyError('Chưa cấu hình OB_SIGNING_KEY: ở chế độ production, Học Số không ký chứng nhận bằng khóa tự sinh. Tạo khóa bằng "npm run keys:generate" và đặt vào biến môi trường OB_SIGNING_KEY.');
  }
  const file = path.resolve(dataDir(), 'ob-signing-key.json');
  if (fs.existsSync(file)) return parseJwk(fs.readFileSync(file, 'utf8'), file);
  const jwk = await generateSigningJwk();
  fs.mkdirSync(path.dirname(file), { recursive: true });
  try {
    // wx: when two processes race, the first file wins and the second reads it.
    fs.writeFileSync(file, JSON.stringify(jwk), { flag: 'wx', mode: 0o600 });
    return jwk;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    return parseJwk(fs.readFileSync(file, 'utf8'), file);
  }
}

let loading: Promise<SigningKey> | undefined;

/** The process's signing key, loaded once. */
export function signingKey(): Promise<SigningKey> {
  loading ??= (async () => {
    const jwk = await loadJwk();
    const { d: _d, ...pub } = jwk;
    const kid = await calculateJwkThumbprint(pub);
    const privateKey = (await importJWK({ ...jwk, alg: 'EdDSA' }, 'EdDSA')) as CryptoKey;
    return { kid, privateKey, publicJwk: { kty: pub.kty, crv: pub.crv, x: pub.x, kid, alg: 'EdDSA', use: 'sig' } };
  })();
  loading.catch(() => (loading = undefined));
  return loading;
}

/**
 * Signs a credential as a VC-JWT (VC-JOSE-COSE): the credential is the payload, the header says
 * typ "vc+jwt" and names the key by kid; iss, jti, nbf and iat repeat the issuer id, the credential
 * id and `at` for verifiers that read the older VC 1.1 JWT claims.
 */
export async function signVcJwt(credential: { id: string } & object, issuerId: string, at: Date): Promise<string> {
  const key = await signingKey();
  const seconds = Math.floor(at.getTime() / 1000);
  return new SignJWT(credential as Record<string, unknown>)
    .setProtectedHeader({ alg: 'EdDSA', kid: key.kid, typ: 'vc+jwt', cty: 'vc' })
    .setIssuer(issuerId)
    .setJti(credential.id)
    .setNotBefore(seconds)
    .setIssuedAt(seconds)
    .sign(key.privateKey);
}
