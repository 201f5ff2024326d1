/** The one reader of content/scorecard.yaml (the criteria of the team-effectiveness scorecard). */
import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { ScorecardSchema, type Scorecard } from '../../lib/content/scorecard-schema.ts';
import { ContentError, contentDir } from './catalog.ts';

export const SCORECARD_FILE = 'scorecard.yaml';

/** Reads and validates the criteria; throws ContentError naming the file. */
export function loadScorecard(root: string): Scorecard {
  const file = path.join(root, SCORECARD_FILE);
  if (!fs.existsSync(file)) throw new ContentError(SCORECARD_FILE, 'thiếu tệp tiêu chí đánh giá hiệu quả tổ');
  let raw: unknown;
  try {
    raw = YAML.parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    throw new ContentError(SCORECARD_FILE, `YAML không hợp lệ: ${(err as Error).message}`);
  }
  const r = ScorecardSchema.safeParse(raw ?? {});
  if (!r.success) throw new ContentError(SCORECARD_FILE, r.error.issues.map((i) => `${i.path.join('.') || '(gốc)'}: ${i.message}`).join('; '));
  return r.data;
}

let cached: Scorecard | undefined;

/** The criteria of this process, loaded once (content changes need a restart). */
export function getScorecard(): Scorecard {
  cached ??= loadScorecard(contentDir());
  return cached;
}
