/** Kysely table types. Nullable columns are `T | null`, generated ones `Generated<T>`. */
import type { ColumnType, Generated, Insertable, Selectable } from 'kysely';

/** Timestamps: Date when read; optional on insert where the column has a default. */
type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type Json<T> = ColumnType<T, string, string>;

export type Role = 'learner' | 'member' | 'leader' | 'official' | 'moderator' | 'admin';

export interface UserTable {
  id: Generated<string>;
  /** Normal form: 10 digits starting with 0 (e.g. 0912345678). */
  phone: string;
  display_name: string;
  password_hash: string | null;
  role: Generated<Role>;
  created_at: Timestamp;
}

export interface SessionTable {
  id: string;
  user_id: string;
  secret_hash: Uint8Array;
  /** Sign-in time: the session ends 30 days after it, however much it is used. */
  created_at: Timestamp;
  /** Idle expiry, moved forward while the session is used (never past the absolute end). */
  expires_at: Timestamp;
  /** Short device summary for the session list ("Chrome trên Android"); never the raw user agent. */
  device: string | null;
  /** Last request seen, updated at most every few minutes. */
  last_seen_at: Timestamp;
}

export interface LessonProgressTable {
  user_id: string;
  course_slug: string;
  lesson_id: string;
  edition: string;
  via: 'check' | 'manual';
  completed_at: Timestamp;
}

/** Stored shape of graded answers (shared by lesson checks and final quizzes). */
export interface StoredResult {
  questionId: string;
  correct: boolean;
  answered: boolean;
}

export interface LessonSubmissionTable {
  id: Generated<string>;
  kind: 'check' | 'done';
  user_id: string | null;
  guest_token_hash: string | null;
  course_slug: string;
  edition: string;
  lesson_id: string;
  answers: Json<Record<string, unknown>>;
  results: Json<StoredResult[]>;
  passed: boolean;
  created_at: Timestamp;
  /** Idempotency key made on the device for checks answered offline (unique); null for plain posts. */
  client_key: string | null;
}

/** A drawn question and the order its options were shown in (option ids). */
export interface DrawnQuestion {
  id: string;
  order: string[];
}

export interface QuizAttemptTable {
  id: Generated<string>;
  user_id: string;
  course_slug: string;
  edition: string;
  content_version: number;
  questions: Json<DrawnQuestion[]>;
  answers: Json<Record<string, unknown>> | null;
  results: Json<StoredResult[]> | null;
  score: number | null;
  total: number;
  pass_mark: number;
  passed: boolean | null;
  started_at: Timestamp;
  submitted_at: Timestamp | null;
}

export interface CourseCompletionTable {
  user_id: string;
  course_slug: string;
  edition: string;
  attempt_id: string;
  completed_at: Timestamp;
}

export interface RateLimitTable {
  key: string;
  window_start: Timestamp;
  hits: number;
  /** Set while a backoff runs (limits with `backoff`): no hit is taken before it. */
  blocked_until: Timestamp | null;
}

/** A certificate of completion; rows are never deleted, only revoked or replaced. */
export interface CertificateTable {
  id: Generated<string>;
  /** Verification code: 10 Crockford base32 characters, upper-case, no hyphen. */
  code: string;
  /** The holder's account; NULL once they deleted it (the certificate and its frozen name stay). */
  user_id: string | null;
  course_slug: string;
  edition: string;
  /** The learner's name as it was at issue. */
  learner_name: string;
  /** The course title as it was at issue. */
  course_title: string;
  content_version: number;
  issued_at: Timestamp;
  revoked_at: Timestamp | null;
  revoked_reason: string | null;
  revoked_by: string | null;
  replaced_at: Timestamp | null;
  /** The certificate that replaced this one; unique (a certificate is replaced at most once). */
  replaced_by: string | null;
  /**
   * Position in the revocation status lists (W3C Bitstring Status List), allocated once from
   * `certificate_status_index_seq`; list n (from 1) holds positions (n-1)·131072 … n·131072-1.
   */
  status_index: Generated<number>;
}

/** A user's private calendar feed; only the SHA-256 of the token is stored. */
export interface CalendarTokenTable {
  user_id: string;
  token_hash: string;
  created_at: Timestamp;
}

export type QuestionStatus = 'pending' | 'approved' | 'hidden' | 'answered';

/** A question asked before a monthly Q&A session (plain text, shown escaped). */
export interface TopicQuestionTable {
  id: Generated<string>;
  /** Schedule month, YYYY-MM. */
  month: string;
  course_slug: string;
  user_id: string;
  text: string;
  status: Generated<QuestionStatus>;
  answer: string | null;
  answered_by: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
  answered_at: Timestamp | null;
}

/** One check-in per person and monthly session. */
export interface SessionAttendanceTable {
  user_id: string;
  month: string;
  checked_in_at: Timestamp;
}

export interface Database {
  user: UserTable;
  session: SessionTable;
  lesson_progress: LessonProgressTable;
  lesson_submission: LessonSubmissionTable;
  quiz_attempt: QuizAttemptTable;
  course_completion: CourseCompletionTable;
  rate_limit: RateLimitTable;
  certificate: CertificateTable;
  calendar_token: CalendarTokenTable;
  topic_question: TopicQuestionTable;
  session_attendance: SessionAttendanceTable;
  admin_unit: AdminUnitTable;
  team: TeamTable;
  team_member: TeamMemberTable;
  official_scope: OfficialScopeTable;
  course_assignment: CourseAssignmentTable;
  unit_course_counter: UnitCourseCounterTable;
  unit_member_counter: UnitMemberCounterTable;
  unit_week_counter: UnitWeekCounterTable;
  access_code: AccessCodeTable;
  roster_import: RosterImportTable;
  audit_log: AuditLogTable;
  personal_recovery_code: PersonalRecoveryCodeTable;
  recovery_request: RecoveryRequestTable;
  security_event: SecurityEventTable;
  recount_job: RecountJobTable;
  team_invitation: TeamInvitationTable;
  household: HouseholdTable;
  help_visit: HelpVisitTable;
  household_link_code: HouseholdLinkCodeTable;
  household_link: HouseholdLinkTable;
  household_team_counter: HouseholdTeamCounterTable;
  help_month_counter: HelpMonthCounterTable;
  help_commune_month: HelpCommuneMonthTable;
  household_commune_counter: HouseholdCommuneCounterTable;
  help_member_last: HelpMemberLastTable;
  household_import: HouseholdImportTable;
  item_stat: ItemStatTable;
  item_option_stat: ItemOptionStatTable;
  item_time_bucket: ItemTimeBucketTable;
  reminder: ReminderTable;
  reminder_recipient: ReminderRecipientTable;
  snapshot_month: SnapshotMonthTable;
  household_team_snapshot: HouseholdTeamSnapshotTable;
  unit_member_snapshot: UnitMemberSnapshotTable;
  unit_household_total: UnitHouseholdTotalTable;
}

/** A reminder sent to the overdue members of a unit or team (one per scope and Vietnam day). */
export interface ReminderTable {
  id: Generated<string>;
  unit_id: number;
  team_id: number | null;
  sender_id: string | null;
  scope_key: string;
  day: DateText;
  recipients: Generated<number>;
  created_at: Timestamp;
}

/** A person a reminder was sent to; shown in the site until dismissed. */
export interface ReminderRecipientTable {
  reminder_id: string;
  user_id: string;
  dismissed_at: Timestamp | null;
}

/** Calendar dates: always selected as text ('2026-12-31') so both drivers agree. */
type DateText = ColumnType<string, string, string>;

/** A node of the administrative tree; `path` lists the ids from the root down ('/1/23/456/'). */
export interface AdminUnitTable {
  id: Generated<number>;
  parent_id: number | null;
  kind: string;
  name: string;
  stat_code: string | null;
  path: string;
  depth: number;
  synthetic: Generated<boolean>;
  created_at: Timestamp;
}

export interface TeamTable {
  id: Generated<number>;
  unit_id: number;
  name: string;
  synthetic: Generated<boolean>;
  created_at: Timestamp;
}

export interface TeamMemberTable {
  user_id: string;
  team_id: number;
  role: Generated<'member' | 'leader'>;
  active: Generated<boolean>;
  since: Timestamp;
  deactivated_at: Timestamp | null;
}

export interface OfficialScopeTable {
  user_id: string;
  unit_id: number;
  granted_by: string | null;
  created_at: Timestamp;
}

export interface CourseAssignmentTable {
  id: Generated<number>;
  unit_id: number;
  course_slug: string;
  edition: string;
  due_date: DateText;
  created_by: string | null;
  created_at: Timestamp;
  /** The due date before the last change, shown to members for a while ("đã đổi từ … sang …"). */
  previous_due_date: DateText | null;
  due_changed_at: Timestamp | null;
}

export interface UnitCourseCounterTable {
  unit_id: number;
  course_slug: string;
  edition: string;
  due_date: DateText;
  assigned: number;
  completed: number;
  /** Units above communes: one of COUNTER_SHARDS rows (see counters.repository.ts); reads sum them. */
  shard: Generated<number>;
}

export interface UnitMemberCounterTable {
  unit_id: number;
  members: number;
  activated: number;
  with_required: number;
  all_done: number;
  shard: Generated<number>;
}

export interface UnitWeekCounterTable {
  unit_id: number;
  course_slug: string;
  edition: string;
  week: DateText;
  completed: number;
  shard: Generated<number>;
}

/** Single-use codes: activation slips, helper-issued recovery codes, and in-person resets. */
export interface AccessCodeTable {
  id: Generated<number>;
  user_id: string;
  kind: 'activation' | 'recovery' | 'in_person';
  code_hash: string;
  expires_at: Timestamp;
  used_at: Timestamp | null;
  issued_by: string | null;
  created_at: Timestamp;
  /** In-person resets only work after a waiting period, so the owner can cancel them. */
  not_before: Timestamp | null;
  /** Set when the owner cancelled the reset (used_at is set too). */
  cancelled_at: Timestamp | null;
  /** The unit where the person's ID card was checked (in-person resets). */
  unit_id: number | null;
  /**
   * Activation codes only: the clear code sealed under a FORM_SECRET-derived key, so slips can be
   * reprinted with the same code. Cleared when the code is used or replaced.
   */
  sealed_code: string | null;
}

/** A person's own long-lived recovery code; only its argon2id hash is kept. */
export interface PersonalRecoveryCodeTable {
  user_id: string;
  code_hash: string;
  created_at: Timestamp;
}

/** A helper's request to recover an account, confirmed by the owner on their own signed-in phone. */
export interface RecoveryRequestTable {
  id: Generated<string>;
  helper_id: string;
  /** Null when the number has no account the helper may ask for (the request looks the same). */
  user_id: string | null;
  /** Six digits shown on both screens, so the owner knows which request they confirm. */
  match_code: string;
  created_at: Timestamp;
  expires_at: Timestamp;
  confirmed_at: Timestamp | null;
  declined_at: Timestamp | null;
  code_issued_at: Timestamp | null;
}

/** Something that happened to an account that its owner must be told about. */
export interface SecurityEventTable {
  id: Generated<number>;
  user_id: string;
  kind: string;
  actor_id: string | null;
  unit_id: number | null;
  created_at: Timestamp;
  seen_at: Timestamp | null;
}

export interface RosterImportTable {
  id: Generated<string>;
  unit_id: number;
  /** NULL once the official who imported deleted their account. */
  official_id: string | null;
  file_name: string;
  rows: Json<unknown>;
  status: Generated<'preview' | 'committed'>;
  summary: Json<unknown> | null;
  created_at: Timestamp;
  committed_at: Timestamp | null;
}

export type InvitationStatus = 'pending' | 'accepted' | 'declined' | 'cancelled';

/** A roster row for a number that already has its own account: the person must accept first. */
export interface TeamInvitationTable {
  id: Generated<string>;
  user_id: string;
  team_id: number;
  role: 'member' | 'leader';
  /** The name typed in the roster file; the official never sees the account's own name before acceptance. */
  name_in_file: string;
  invited_by: string | null;
  import_id: string | null;
  status: Generated<InvitationStatus>;
  created_at: Timestamp;
  responded_at: Timestamp | null;
}

export interface AuditLogTable {
  id: Generated<number>;
  actor_id: string | null;
  unit_id: number | null;
  action: string;
  detail: Json<unknown>;
  created_at: Timestamp;
}

export type UserRow = Selectable<UserTable>;
export type NewUser = Insertable<UserTable>;
export type QuizAttemptRow = Selectable<QuizAttemptTable>;
export type CertificateRow = Selectable<CertificateTable>;
export type TopicQuestionRow = Selectable<TopicQuestionTable>;

/** A requested recount of a unit's subtree, run by a background job (src/server/teams/recount-jobs.ts). */
export interface RecountJobTable {
  id: Generated<number>;
  unit_id: number;
  /** What asked for it: 'assign', 'roster', 'team.move', 'member.move', 'member.active'. */
  reason: string;
  state: ColumnType<'queued' | 'running' | 'done' | 'failed', 'queued' | 'running' | 'done' | 'failed' | undefined>;
  total: number | null;
  done: Generated<number>;
  cursor: number | null;
  attempts: Generated<number>;
  error: string | null;
  created_at: Timestamp;
  started_at: Date | null;
  finished_at: Date | null;
}

/** A household a team keeps: a label the family agreed to, optional phone and note (nothing else). */
export interface HouseholdTable {
  id: Generated<string>;
  team_id: number;
  label: string;
  phone: string | null;
  note: string | null;
  /** 'given' at the doorstep, or 'not_asked' for imported households until a member records it. */
  consent: 'given' | 'not_asked';
  consent_at: Timestamp | null;
  consent_by: string | null;
  created_by: string | null;
  created_at: Timestamp;
  removal_requested_at: Timestamp | null;
  /** Coverage last counted (bit i = skill i of SKILLS); kept with the team counters. */
  covered_mask: Generated<number>;
  verified_mask: Generated<number>;
  meets_target: Generated<boolean>;
  linked: Generated<number>;
}

/** Outcome of a skill worked on in a visit. */
export type VisitOutcome = 'tu-lam' | 'can-ho-tro';

/** A help visit; anonymous (declined consent) visits have no household and no person. */
export interface HelpVisitTable {
  id: Generated<string>;
  team_id: number;
  household_id: string | null;
  member_id: string | null;
  visit_date: DateText;
  person: string | null;
  consent: boolean;
  outcomes: Json<Record<string, VisitOutcome>>;
  tasks: Json<string[]>;
  material: string | null;
  client_key: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface HouseholdLinkCodeTable {
  id: Generated<number>;
  visit_id: string;
  code_hash: string;
  expires_at: Timestamp;
  used_at: Timestamp | null;
  created_at: Timestamp;
}

export interface HouseholdLinkTable {
  id: Generated<string>;
  household_id: string;
  visit_id: string | null;
  user_id: string;
  person_key: string;
  created_at: Timestamp;
  undone_at: Timestamp | null;
}

export interface HouseholdTeamCounterTable {
  team_id: number;
  households: number;
  consented: number;
  meeting_target: number;
  linked_citizens: number;
  cov_dich_vu_cong: number;
  cov_mua_sam: number;
  cov_thanh_toan: number;
  cov_tu_bao_ve: number;
  cov_nen_tang_dia_phuong: number;
  all_skills: number;
}

export interface HelpMonthCounterTable {
  team_id: number;
  /** First day of the month (Vietnam dates). */
  month: DateText;
  /** The helping member, or the nil uuid once they deleted their account. */
  member_id: string;
  visits: number;
  anonymous: number;
}

/** The household counters of a commune's teams, summed (see migration 2026_12_07_130000). */
export interface HouseholdCommuneCounterTable {
  commune_id: number;
  households: number;
  consented: number;
  meeting_target: number;
  linked_citizens: number;
  cov_dich_vu_cong: number;
  cov_mua_sam: number;
  cov_thanh_toan: number;
  cov_tu_bao_ve: number;
  cov_nen_tang_dia_phuong: number;
  all_skills: number;
}

/** Help activity per commune and month (see migration 2026_12_07_130000). */
export interface HelpCommuneMonthTable {
  commune_id: number;
  month: DateText;
  visits: number;
  anonymous: number;
  /** Members (per team) with a visit in the month. */
  members: number;
  /** Members (per team) whose last month with a visit is this one. */
  last_members: number;
}

/** The last month a member helped for a team (null: none any more). */
export interface HelpMemberLastTable {
  team_id: number;
  member_id: string;
  last_month: DateText | null;
}

export interface HouseholdImportTable {
  id: Generated<string>;
  team_id: number;
  by_id: string | null;
  file_name: string;
  rows: Json<unknown>;
  status: Generated<'preview' | 'committed'>;
  summary: Json<unknown> | null;
  created_at: Timestamp;
  committed_at: Timestamp | null;
}

/** Where a question is asked: a lesson check or the final-quiz pool. */
export type ItemSource = 'check' | 'final';

/** The key every item-analysis counter shares; `version` is `questionVersion(q)` at grading time. */
interface ItemKey {
  course_slug: string;
  edition: string;
  source: ItemSource;
  question_id: string;
  version: string;
}

/** Answers to one question version, one of eight shards (reads sum them). */
export interface ItemStatTable extends ItemKey {
  shard: number;
  attempts: number;
  correct: number;
  answered: number;
}

/** How often an option was chosen (ordering questions: a step put in its right place). */
export interface ItemOptionStatTable extends ItemKey {
  option_id: string;
  shard: number;
  chosen: number;
}

/** Answers whose time fell in a log-spaced bucket (see src/server/items/timing.ts); not sharded. */
export interface ItemTimeBucketTable extends ItemKey {
  bucket: number;
  n: number;
}

/** A month whose snapshot was written (when the next month began). */
export interface SnapshotMonthTable {
  month: DateText;
  taken_at: Generated<Timestamp>;
}

/** A team's household counters as they stood when a month closed. */
export interface HouseholdTeamSnapshotTable extends Omit<HouseholdTeamCounterTable, never> {
  month: DateText;
}

/** A unit's member counters as they stood when a month closed. */
export interface UnitMemberSnapshotTable {
  unit_id: number;
  month: DateText;
  members: number;
  with_required: number;
  all_done: number;
}

/** The real number of households of a unit (from the commune's records), entered by an official. */
export interface UnitHouseholdTotalTable {
  unit_id: number;
  households: number;
  updated_by: string | null;
  updated_at: Generated<Timestamp>;
}
