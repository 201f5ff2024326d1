/** The certificate as an Open Badges 3.0 credential (JSON-LD). */
import { certificateRoute } from '../../web/certificate-routes.ts';

export const prerender = false;

export const GET = certificateRoute('json');
