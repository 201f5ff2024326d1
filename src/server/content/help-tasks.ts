/** The one reader of content/help-tasks.yaml: the fixed list of tasks a help visit can record. */
import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { HelpTasksSchema, type HelpTask } from '../../lib/content/help-tasks-schema.ts';
import type { Skill } from '../../lib/content/schema.ts';
import { ContentError, contentDir } from './catalog.ts';

export type { HelpTask };

/** The tasks file, relative to the content folder. */
export const HELP_TASKS_FILE = 'help-tasks.yaml';

export interface HelpTasks {
  tasks: HelpTask[];
  byId: Map<string, HelpTask>;
}

/** Reads and validates the tasks; throws ContentError naming the file. */
export function loadHelpTasks(root: string): HelpTasks {
  const file = path.join(root, HELP_TASKS_FILE);
  if (!fs.existsSync(file)) throw new ContentError(HELP_TASKS_FILE, 'thiếu tệp danh sách việc hỗ trợ');
  let raw: unknown;
  try {
    raw = YAML.parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    throw new ContentError(HELP_TASKS_FILE, `YAML không hợp lệ: ${(err as Error).message}`);
  }
  const r = HelpTasksSchema.safeParse(raw ?? {});
  if (!r.success) throw new ContentError(HELP_TASKS_FILE, r.error.issues.map((i) => `${i.path.join('.') || '(gốc)'}: ${i.message}`).join('; '));
  return { tasks: r.data.tasks, byId: new Map(r.data.tasks.map((t) => [t.id, t])) };
}

let cached: HelpTasks | undefined;

/** The tasks of this process, loaded once (content changes need a restart). */
export function getHelpTasks(): HelpTasks {
  cached ??= loadHelpTasks(contentDir());
  return cached;
}

/** The tasks of one skill. */
export function tasksOf(skill: Skill): HelpTask[] {
  return getHelpTasks().tasks.filter((t) => t.skill === skill);
}
