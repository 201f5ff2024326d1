/**
 * The layering rule: page → web edge (src/web) → domain (src/server) → repository → db.
 * The domain never imports the edge; pages, components and the edge never import Kysely.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

function files(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? files(p) : /\.(ts|astro|mjs)$/.test(e.name) ? [p] : [];
  });
}

/** Module specifiers a file imports; `valuesOnly` skips `import type` (erased at build). */
function imports(file: string, valuesOnly = false): string[] {
  const src = fs.readFileSync(file, 'utf8');
  const statements = [...src.matchAll(/^\s*(import|export)\s[^;]*?from\s+['"]([^'"]+)['"]|import\s*\(\s*['"]([^'"]+)['"]|^\s*import\s+['"]([^'"]+)['"]/gms)];
  return statements
    .filter((m) => !(valuesOnly && /^\s*(import|export)\s+type\s/.test(m[0])))
    .map((m) => (m[2] ?? m[3] ?? m[4])!);
}

function resolves(file: string, spec: string): string {
  return spec.startsWith('.') ? path.relative(process.cwd(), path.resolve(path.dirname(file), spec)) : spec;
}

describe('layering', () => {
  it('no file under src/server imports the web edge', () => {
    const bad = files('src/server').flatMap((f) => imports(f).filter((s) => resolves(f, s).startsWith('src/web')).map((s) => `${f} → ${s}`));
    expect(bad).toEqual([]);
  });

  it('no page, component, layout or edge file imports Kysely (the edge may name its types)', () => {
    const dirs = ['src/pages', 'src/components', 'src/layouts', 'src/web', 'src/lib', 'src/middleware.ts'];
    const all = dirs.flatMap((d) => (d.endsWith('.ts') ? [d] : files(d)));
    const bad = all.flatMap((f) => imports(f, f.startsWith('src/web')).filter((s) => s === 'kysely' || s.startsWith('kysely/')).map((s) => `${f} → ${s}`));
    expect(bad).toEqual([]);
  });

  it('every POST handler in src/pages reads its body through the one form helper of src/web', () => {
    const HELPERS = /\b(formEndpoint|submitForm|readValidForm|readQuizForm|readVisitForm)\(/;
    const handlesPost = (src: string) => /export const POST\b|request\.method === 'POST'|method === 'POST'/.test(src);
    const pages = files('src/pages');
    const posting = pages.filter((f) => handlesPost(fs.readFileSync(f, 'utf8')));
    expect(posting.length).toBeGreaterThan(30);
    const bad = posting.filter((f) => !HELPERS.test(fs.readFileSync(f, 'utf8')));
    expect(bad, 'POST handlers not using formEndpoint/submitForm/readValidForm').toEqual([]);
    // Nor does any page read a body by itself.
    const raw = pages.filter((f) => /\.formData\(\)|\breadForm\(|\breadBody\(|request\.(json|text|arrayBuffer)\(\)/.test(fs.readFileSync(f, 'utf8')));
    expect(raw).toEqual([]);
  });

  it('the check itself sees imports (a planted import is found)', () => {
    const tmp = path.join('src/server', `__planted_${process.pid}.ts`);
    fs.writeFileSync(tmp, "import { db } from '../web/request.ts';\n");
    try {
      const found = imports(tmp).filter((s) => resolves(tmp, s).startsWith('src/web'));
      expect(found).toHaveLength(1);
    } finally {
      fs.rmSync(tmp);
    }
  });
});
