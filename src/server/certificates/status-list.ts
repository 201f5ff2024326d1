/**
 * Revocation any verifier can check, offline from us except for one public file: W3C Bitstring
 * Status List v1.0. Each certificate holds a position (`status_index`, allocated once from a
 * sequence); its credential carries a BitstringStatusListEntry naming the list and the position,
 * and the list credential served at /chung-nhan/trang-thai/<n> has that bit set once the
 * certificate is revoked or replaced by a reissue. Lists are built per request from the rows
 * (an index over set positions only), so a revocation shows in the next list fetched.
 */
import type { UnsecuredStatusListCredential } from '@digitalbazaar/vc-bitstring-status-list';
import type { Kysely } from 'kysely';
import { siteUrl } from '../config.ts';
import type { Database } from '../db/schema.ts';
import * as repo from './certificates.repository.ts';

/**
 * Positions per list: the spec's minimum of 131,072 (16 KB before compression), so one list covers
 * many certificates and fetching it reveals little about which one a verifier checks.
 */
export const STATUS_LIST_SIZE = 131_072;

/** How long a fetched list may be reused (the HTTP max-age and the list's `ttl`). */
export const STATUS_LIST_TTL_SECONDS = 300;

/** The only purpose we publish: a set bit means the certificate no longer holds. */
export const STATUS_PURPOSE = 'revocation';

/** Path of list credential `list` (from 1); `.json` is the unsigned form. */
export function statusListPath(list: number, suffix: '' | '.json' = ''): string {
  return `/chung-nhan/trang-thai/${list}${suffix}`;
}

/** The list (from 1) and the position in it of a certificate's status index. */
export function statusListPosition(statusIndex: number): { list: number; position: number } {
  return { list: Math.floor(statusIndex / STATUS_LIST_SIZE) + 1, position: statusIndex % STATUS_LIST_SIZE };
}

/** The `credentialStatus` of a credential: a BitstringStatusListEntry. */
export function credentialStatusEntry(statusIndex: number) {
  const { list, position } = statusListPosition(statusIndex);
  const url = siteUrl() + statusListPath(list);
  return {
    id: `${url}#${position}`,
    type: 'BitstringStatusListEntry',
    statusPurpose: STATUS_PURPOSE,
    // The spec types the index as a string of base-10 digits.
    statusListIndex: String(position),
    statusListCredential: url,
  };
}

/** A built list and when its rows were read. */
export interface StatusList {
  list: number;
  /** The library's list credential, before issuer, dates and signature are added. */
  base: UnsecuredStatusListCredential;
  builtAt: Date;
}

/**
 * List `list` as it stands now, or undefined when no certificate has a position in it yet. Costs
 * two indexed queries however large the list: one probe of the unique index on status_index, one
 * range read of the partial index over set positions.
 */
export async function buildStatusList(db: Kysely<Database>, list: number): Promise<StatusList | undefined> {
  const from = (list - 1) * STATUS_LIST_SIZE;
  const to = from + STATUS_LIST_SIZE;
  // status_index is an int4: a list past its range cannot exist (and must not reach the query).
  if (!Number.isInteger(list) || list < 1 || to > 2 ** 31) return undefined;
  const builtAt = new Date();
  if (!(await repo.statusRangeInUse(db, from, to))) return undefined;
  const set = await repo.setStatusIndexes(db, from, to);
  // Loaded on first use: the library's entry module also loads a JSON-LD stack we do not use
  // (its checkStatus expects Data Integrity proofs; our credentials are VC-JWT), ≈0.6 s of start-up.
  const { createCredential, createList } = await import('@digitalbazaar/vc-bitstring-status-list');
  const bits = await createList({ length: STATUS_LIST_SIZE });
  for (const i of set) bits.setStatus(i - from, true);
  const base = await createCredential({ id: siteUrl() + statusListPath(list), list: bits, statusPurpose: STATUS_PURPOSE });
  return { list, base, builtAt };
}
