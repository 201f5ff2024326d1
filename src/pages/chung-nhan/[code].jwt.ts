/** The certificate as a signed VC-JWT. */
import { certificateRoute } from '../../server/http/certificate-routes.ts';

export const prerender = false;

export const GET = certificateRoute('jwt');
