/**
 * The one module that reads the monthly topic schedule (content/schedule.yaml) for the server,
 * validated by the same schema as the Astro build and checked against the course catalogue.
 * Everything time-dependent takes `now`, so "this month" is computed per request, never at build.
 */
import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import type { Edition } from '../../lib/content/schema.ts';
import { scheduleSchema } from '../../lib/content/schedule-schema.ts';
import { ContentError, contentDir, getCatalog, type Catalog } from '../content/catalog.ts';

/** The schedule file, relative to the content folder. */
export const SCHEDULE_FILE = 'schedule.yaml';

/** A month's topic as pages use it. */
export interface Topic {
  /** YYYY-MM */
  month: string;
  course: { slug: string; title: string; summary: string; editions: Edition[] };
  description: string;
  session: { start: Date; end: Date; place: string; link?: string };
  recording?: string;
  summary?: string;
}

export interface Schedule {
  /** Topics in month order. */
  topics: Topic[];
  byMonth: Map<string, Topic>;
}

/** Reads and validates the schedule; throws ContentError naming the file. */
export function loadSchedule(root: string, catalog: Catalog): Schedule {
  const file = path.join(root, SCHEDULE_FILE);
  if (!fs.existsSync(file)) throw new ContentError(SCHEDULE_FILE, 'thiếu tệp lịch chuyên đề hằng tháng');
  let raw: unknown;
  try {
    raw = YAML.parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    throw new ContentError(SCHEDULE_FILE, `YAML không hợp lệ: ${(err as Error).message}`);
  }
  const r = scheduleSchema(new Set(catalog.bySlug.keys())).safeParse(raw ?? {});
  if (!r.success) {
    throw new ContentError(SCHEDULE_FILE, r.error.issues.map((i) => `${i.path.join('.') || '(gốc)'}: ${i.message}`).join('; '));
  }
  const topics = Object.entries(r.data)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([month, t]): Topic => {
      const c = catalog.bySlug.get(t.course)!;
      return {
        month,
        course: { slug: c.slug, title: c.title, summary: c.summary, editions: Object.keys(c.editions) as Edition[] },
        description: t.description,
        session: { start: new Date(t.session.start), end: new Date(t.session.end), place: t.session.place, link: t.session.link },
        recording: t.recording,
        summary: t.summary,
      };
    });
  return { topics, byMonth: new Map(topics.map((t) => [t.month, t])) };
}

let cached: Schedule | undefined;

/** The schedule of this process, loaded once (content changes need a restart, like courses). */
export function getSchedule(): Schedule {
  cached ??= loadSchedule(contentDir(), getCatalog());
  return cached;
}

const monthFmt = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Ho_Chi_Minh', year: 'numeric', month: '2-digit' });

/** The month (YYYY-MM) of an instant in Vietnam. */
export function monthOf(d: Date): string {
  return monthFmt.format(d).slice(0, 7);
}

/** This month's topic in Vietnam, if the schedule has one. */
export function currentTopic(schedule: Schedule, now: Date = new Date()): Topic | undefined {
  return schedule.byMonth.get(monthOf(now));
}

/** The session happening now or next (undefined once the schedule has run out). */
export function nextSession(schedule: Schedule, now: Date = new Date()): Topic | undefined {
  return schedule.topics.find((t) => t.session.end > now);
}

export type Phase = 'upcoming' | 'live' | 'past';

/** Whether a session is still to come, happening, or over. */
export function sessionPhase(topic: Topic, now: Date = new Date()): Phase {
  if (now < topic.session.start) return 'upcoming';
  return now < topic.session.end ? 'live' : 'past';
}

/** Topics of one calendar year (YYYY), in month order. */
export function topicsOfYear(schedule: Schedule, year: string): Topic[] {
  return schedule.topics.filter((t) => t.month.startsWith(`${year}-`));
}

/** Years the schedule covers, ascending. */
export function scheduleYears(schedule: Schedule): string[] {
  return [...new Set(schedule.topics.map((t) => t.month.slice(0, 4)))];
}

/** "tháng 11/2026" */
export function monthLabel(month: string): string {
  return `tháng ${Number(month.slice(5, 7))}/${month.slice(0, 4)}`;
}
