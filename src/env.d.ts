/// <reference types="astro/client" />

declare namespace App {
  interface Locals {
    /** The signed-in user, set by middleware from the session cookie. */
    user: import('./server/auth/session.ts').SessionUser | null;
    sessionId: string | null;
    /** The account has a security notice or a recovery request waiting for its owner (a banner links to it). */
    attention: boolean;
  }
}
