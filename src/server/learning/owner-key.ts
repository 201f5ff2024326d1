/**
 * The opaque key of an account that a lesson-check form carries (`owner`), so answers queued on a
 * device offline stay bound to the account that made them: a replay under another account is refused.
 * HMAC of the user id under FORM_SECRET: stable for the account, meaningless to anyone else.
 */
import { createHmac } from 'node:crypto';
import { formSecret } from '../form-secret.ts';

/** Owner of forms opened without an account (guests); kept in step with GUEST_OWNER in src/lib/offline/store.ts. */
export const GUEST_OWNER = 'khach';

export function ownerKey(userId: string, secret = formSecret()): string {
  return createHmac('sha256', secret).update(`owner:${userId}`).digest('base64url').slice(0, 22);
}
