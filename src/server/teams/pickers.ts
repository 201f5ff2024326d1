/**
 * Pickers for moving a team or a member and for choosing a unit: by name, never by an internal id
 * typed by hand. Without JavaScript they are plain selects when the choices are few, and otherwise a
 * search step (a GET form) whose matches are listed as radio buttons inside the POST form.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.ts';
import { scopeUnits, type Viewer } from './access.ts';
import * as repo from './pickers.repository.ts';

/** Up to this many choices are offered as one select; above, the picker asks for a search first. */
export const PICKER_LIST_MAX = 200;
/** Matches shown for one search. */
export const PICKER_MATCHES_MAX = 50;

export interface Choice {
  id: number;
  label: string;
}

export interface Picker {
  /** `list`: every choice below (a select). `search`: matches of `query` (radio buttons), or none yet. */
  mode: 'list' | 'search';
  choices: Choice[];
  query: string;
  /** More matches exist than are shown: the search should be narrower. */
  more: boolean;
}

/** A search text from a query value: trimmed, at most 80 characters, NFC. */
export function searchText(v: string | null | undefined): string {
  return (v ?? '').normalize('NFC').replace(/[\u0000-\u001f\u007f]/g, ' ').replace(/\s+/g, ' ').trim().slice(0, 80);
}

async function pick<T>(
  load: (q: string | undefined, limit: number) => Promise<T[]>,
  label: (row: T) => Choice,
  query: string,
): Promise<Picker> {
  const all = await load(undefined, PICKER_LIST_MAX + 1);
  if (all.length <= PICKER_LIST_MAX) {
    const choices = all.map(label);
    // A search narrows even a short list (the select still works without it).
    return { mode: 'list', choices, query, more: false };
  }
  if (!query) return { mode: 'search', choices: [], query, more: false };
  const found = await load(query, PICKER_MATCHES_MAX + 1);
  return { mode: 'search', choices: found.slice(0, PICKER_MATCHES_MAX).map(label), query, more: found.length > PICKER_MATCHES_MAX };
}

/** Units the viewer manages (their scopes and below), labelled “name — parent”. */
export async function unitPicker(db: Kysely<Database>, v: Viewer, query: string): Promise<Picker> {
  const paths = (await scopeUnits(db, v)).map((u) => u.path);
  return pick(
    (q, limit) => repo.unitsUnder(db, paths, q, limit),
    (u) => ({ id: u.id, label: u.parent_name ? `${u.name} — ${u.parent_name}` : u.name }),
    query,
  );
}

/** Teams under the units the viewer manages, labelled “team — unit”. */
export async function teamPicker(db: Kysely<Database>, v: Viewer, query: string): Promise<Picker> {
  const paths = (await scopeUnits(db, v)).map((u) => u.path);
  return pick(
    (q, limit) => repo.teamsUnder(db, paths, q, limit),
    (t) => ({ id: t.id, label: `${t.name} — ${t.unit_name}` }),
    query,
  );
}
