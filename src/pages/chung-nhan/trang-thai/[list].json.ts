/** Revocation status list n as unsigned JSON, for people and tools that read JSON-LD. */
import { statusListRoute } from '../../../web/certificate-routes.ts';

export const prerender = false;

export const GET = statusListRoute('json');
