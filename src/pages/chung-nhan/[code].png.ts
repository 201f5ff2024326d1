/** The certificate as a 1200×630 preview image (Open Graph). */
import { certificateRoute } from '../../web/certificate-routes.ts';

export const prerender = false;

export const GET = certificateRoute('png');
