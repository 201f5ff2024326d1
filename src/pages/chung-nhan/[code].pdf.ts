/** The certificate as a printable PDF. */
import { certificateRoute } from '../../web/certificate-routes.ts';

export const prerender = false;

export const GET = certificateRoute('pdf');
