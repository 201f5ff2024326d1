/** Revocation status list n as a signed VC-JWT (BitstringStatusListCredential). */
import { statusListRoute } from '../../../web/certificate-routes.ts';

export const prerender = false;

export const GET = statusListRoute('jwt');
