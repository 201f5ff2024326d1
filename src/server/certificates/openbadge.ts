/**
 * Open Badges 3.0: the certificate as an OpenBadgeCredential (W3C VC Data Model 2.0 + OB 3.0
 * contexts), and the same credential signed as a VC-JWT (VC-JOSE-COSE: the credential is the JWT
 * payload, header typ "vc+jwt", EdDSA over Ed25519). iss/sub/jti/nbf repeat the credential's
 * issuer, subject, id and validFrom for verifiers that read the older VC 1.1 JWT claims.
 */
import { SignJWT } from 'jose';
import { findEdition } from '../content/catalog.ts';
import { siteUrl } from '../config.ts';
import type { CertificateView } from './certificates.ts';
import { signingKey } from './signing.ts';

export const VC_CONTEXT = 'https://www.w3.org/ns/credentials/v2';
export const OB_CONTEXT = 'https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json';

/** The issuer profile (OB 3.0 Profile), published at /chung-nhan/to-chuc-cap.json. */
export function issuerProfile(name: string) {
  const site = siteUrl();
  return {
    '@context': [VC_CONTEXT, OB_CONTEXT],
    id: `${site}/chung-nhan/to-chuc-cap.json`,
    type: ['Profile'],
    name,
    url: `${site}/`,
    description: 'Nền tảng học kỹ năng số ngắn gọn cho Tổ công nghệ số cộng đồng và người dân.',
  };
}

/** The OpenBadgeCredential of a certificate. */
export function openBadgeCredential(c: CertificateView) {
  const found = findEdition(c.courseSlug, c.edition);
  const passMark = found?.ed.passMark;
  const { '@context': _ctx, ...issuer } = issuerProfile(c.issuerName);
  return {
    '@context': [VC_CONTEXT, OB_CONTEXT],
    id: c.verifyUrl,
    type: ['VerifiableCredential', 'OpenBadgeCredential'],
    name: `Chứng nhận hoàn thành khóa học: ${c.courseTitle}`,
    issuer,
    validFrom: c.issuedAt.toISOString(),
    credentialSubject: {
      type: ['AchievementSubject'],
      // Learners have no DID: the subject is identified by the name printed on the certificate.
      identifier: [{ type: ['IdentityObject'], identityType: 'name', hashed: false, identityHash: c.learnerName }],
      achievement: {
        id: `${c.courseUrl}#thanh-tich`,
        type: ['Achievement'],
        achievementType: 'Certificate',
        name: `${c.courseTitle} (${c.editionLabel})`,
        description: found?.course.summary ?? c.courseTitle,
        criteria: {
          id: c.courseUrl,
          narrative:
            `Học xong mọi bài học của khóa «${c.courseTitle}», phiên bản dành cho ${c.editionLabel.toLowerCase()}, ` +
            `và đạt bài kiểm tra cuối khóa${passMark ? ` (từ ${passMark}% số câu trở lên)` : ''}, chấm trên máy chủ.`,
        },
        version: String(c.contentVersion),
        inLanguage: 'vi',
        creator: issuer,
      },
    },
  };
}

/** The credential signed as a VC-JWT. */
export async function signCredential(c: CertificateView): Promise<string> {
  const key = await signingKey();
  const credential = openBadgeCredential(c);
  return new SignJWT(credential as unknown as Record<string, unknown>)
    .setProtectedHeader({ alg: 'EdDSA', kid: key.kid, typ: 'vc+jwt', cty: 'vc' })
    .setIssuer(credential.issuer.id)
    .setJti(credential.id)
    .setNotBefore(Math.floor(c.issuedAt.getTime() / 1000))
    .setIssuedAt(Math.floor(c.issuedAt.getTime() / 1000))
    .sign(key.privateKey);
}

/** The public keys as a JWK Set. */
export async function publicJwks(): Promise<{ keys: object[] }> {
  return { keys: [(await signingKey()).publicJwk] };
}
