/** The certificate as a signed VC-JWT. */
import { certificateRoute } from '../../web/certificate-routes.ts';

export const prerender = false;

export const GET = certificateRoute('jwt');
