/**
 * Demo households in Phường Ba Đình (synthetic, marked "(mẫu)"): a few households of the demo team,
 * visits over the last months, and one linked citizen (Nguyễn Thị Hoa), so the coverage dashboards
 * are not empty right after `npm start`. Idempotent: does nothing once the demo team has households.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.ts';
import * as teamsRepo from '../teams/teams.repository.ts';
import { DEMO_TEAMS } from '../teams/seed.ts';
import { todayVn } from './fields.ts';
import { addHousehold } from './households.ts';
import * as repo from './households.repository.ts';
import { confirmLink, issueLinkCode } from './links.ts';
import { recordVisit } from './visits.ts';

/** A Vietnam date `days` before today. */
function daysAgo(days: number): string {
  return todayVn(new Date(Date.now() - days * 24 * 3600 * 1000));
}

export async function seedHouseholdsDemo(db: Kysely<Database>): Promise<boolean> {
  const lan = await teamsRepo.findUserByPhone(db, DEMO_TEAMS.leaderA);
  const binh = await teamsRepo.findUserByPhone(db, '+84912000002');
  const hoa = await teamsRepo.findUserByPhone(db, '+84912000001');
  if (!lan || !binh || !hoa) return false;
  const m = await teamsRepo.findMembership(db, lan.id);
  if (!m || (await repo.householdsOfTeam(db, m.team_id)).length) return false;
  const L = { id: lan.id, role: lan.role };
  const B = { id: binh.id, role: binh.role };
  const five = { 'dich-vu-cong': 'tu-lam', 'mua-sam': 'tu-lam', 'thanh-toan': 'tu-lam', 'tu-bao-ve': 'tu-lam', 'nen-tang-dia-phuong': 'tu-lam' } as const;
  const visit = (householdId: string | null, date: string, person: string | null, outcomes: Record<string, 'tu-lam' | 'can-ho-tro'>, tasks: string[] = []) => ({
    householdId,
    date,
    person,
    outcomes,
    tasks,
    material: null,
    clientKey: null,
  });

  const tu = await addHousehold(db, B, { label: 'Hộ bác Tư, ngõ 3 (mẫu)', phone: null, note: null });
  await recordVisit(db, B, visit(tu, daysAgo(70), 'bà Tư', { 'dich-vu-cong': 'can-ho-tro' }, ['cai-vneid-muc-1']));
  await recordVisit(db, B, visit(tu, daysAgo(40), 'bà Tư', { 'dich-vu-cong': 'tu-lam', 'tu-bao-ve': 'tu-lam' }, ['dang-nhap-dich-vu-cong', 'bao-tin-rac-5656']));
  await recordVisit(db, B, visit(tu, daysAgo(3), 'bà Tư', five, ['chuyen-tien-vietqr', 'dat-hang-truc-tuyen']));

  const hoaHousehold = await addHousehold(db, L, { label: 'Hộ chị Hoa (mẫu)', phone: '+84912000001', note: 'Gần nhà văn hóa' });
  await recordVisit(db, L, visit(hoaHousehold, daysAgo(20), 'chị Hoa', { 'dich-vu-cong': 'tu-lam', 'thanh-toan': 'can-ho-tro' }, ['nop-ho-so-dich-vu-cong']));
  const linked = await recordVisit(db, L, visit(hoaHousehold, daysAgo(1), 'chị Hoa', { 'tu-bao-ve': 'tu-lam' }, ['bat-xac-thuc-hai-buoc']));
  const { code } = await issueLinkCode(db, L, linked, 'http://127.0.0.1');
  await confirmLink(db, { id: hoa.id, role: hoa.role }, code, 'demo-seed');

  const sau = await addHousehold(db, B, { label: 'Hộ ông Sáu (mẫu)', phone: null, note: null });
  await recordVisit(db, B, visit(sau, daysAgo(10), 'ông Sáu', { 'mua-sam': 'tu-lam', 'nen-tang-dia-phuong': 'can-ho-tro' }));
  // Today, so "visits this month" is never empty, even on the 1st.
  await recordVisit(db, B, visit(null, daysAgo(0), null, { 'tu-bao-ve': 'can-ho-tro' }, ['khong-dua-otp']));
  return true;
}
