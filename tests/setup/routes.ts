/** Every route under src/pages, enumerated from the file system (not a hand-written list). */
import fs from 'node:fs';
import path from 'node:path';

/** A route pattern such as /quan-ly/don-vi/[unit] and its dynamic parameter names. */
export interface RouteInfo {
  route: string;
  params: string[];
}

/** All routes of the site except the 404/500 pages. */
export function routes(): RouteInfo[] {
  const root = path.resolve('src/pages');
  const out: RouteInfo[] = [];
  const walk = (dir: string) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, e.name);
      if (e.isDirectory()) walk(full);
      else if (/\.(astro|ts|md|mdx)$/.test(e.name)) {
        let rel = path.relative(root, full).replace(/\\/g, '/').replace(/\.(astro|ts|md|mdx)$/, '');
        rel = rel.replace(/(^|\/)index$/, '');
        if (/^(404|500)$/.test(rel)) continue;
        out.push({ route: '/' + rel, params: [...rel.matchAll(/\[(\w+)\]/g)].map((m) => m[1]!) });
      }
    }
  };
  walk(root);
  return out.sort((a, b) => a.route.localeCompare(b.route));
}
