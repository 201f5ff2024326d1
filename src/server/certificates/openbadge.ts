/**
 * Open Badges 3.0: the certificate as an OpenBadgeCredential (W3C VC Data Model 2.0 + OB 3.0
 * contexts), and the same credential signed as a VC-JWT (VC-JOSE-COSE: the credential is the JWT
 * payload, header typ "vc+jwt", EdDSA over Ed25519). iss/sub/jti/nbf repeat the credential's
 * issuer, subject, id and validFrom for verifiers that read the older VC 1.1 JWT claims. Each
 * credential carries a BitstringStatusListEntry (status-list.ts) that says where its revocation bit is.
 */
import { findEdition } from '../content/catalog.ts';
import { siteUrl } from '../config.ts';
import type { CertificateView } from './certificates.ts';
import { signingKey, signVcJwt } from './signing.ts';
import { credentialStatusEntry, STATUS_LIST_TTL_SECONDS, type StatusList } from './status-list.ts';

export const VC_CONTEXT = 'https://www.w3.org/ns/credentials/v2';
export const OB_CONTEXT = 'https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json';

/** The issuer's id: the address of its profile. */
export function issuerId(): string {
  return `${siteUrl()}/chung-nhan/to-chuc-cap.json`;
}

/** The issuer profile (OB 3.0 Profile), published at /chung-nhan/to-chuc-cap.json. */
export function issuerProfile(name: string) {
  const site = siteUrl();
  return {
    '@context': [VC_CONTEXT, OB_CONTEXT],
    id: issuerId(),
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
    // Revocation any verifier can check, also for a copy downloaded before the revocation.
    credentialStatus: credentialStatusEntry(c.statusIndex),
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
export function signCredential(c: CertificateView): Promise<string> {
  const credential = openBadgeCredential(c);
  return signVcJwt(credential, credential.issuer.id, c.issuedAt);
}

/**
 * A BitstringStatusListCredential: the library's list credential with our issuer (the same id as
 * on every certificate's credential, so verifiers can match them), when it was built, and `ttl`
 * (milliseconds) telling verifiers how long they may reuse it.
 */
export function statusListCredential(s: StatusList) {
  return {
    ...s.base,
    issuer: issuerId(),
    validFrom: s.builtAt.toISOString(),
    credentialSubject: { ...s.base.credentialSubject, ttl: STATUS_LIST_TTL_SECONDS * 1000 },
  };
}

/** The status list credential signed as a VC-JWT, with the same key and kid as the certificates. */
export function signStatusList(s: StatusList): Promise<string> {
  const credential = statusListCredential(s);
  return signVcJwt(credential, credential.issuer, s.builtAt);
}

/** The public keys as a JWK Set. */
export async function publicJwks(): Promise<{ keys: object[] }> {
  return { keys: [(await signingKey()).publicJwk] };
}
