/** The certificate as a printable PDF. */
import { certificateRoute } from '../../server/http/certificate-routes.ts';

export const prerender = false;

export const GET = certificateRoute('pdf');
