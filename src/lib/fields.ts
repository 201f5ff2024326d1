/**
 * One zod schema per form field, reused by every form; normalisation lives in the schema.
 * Browser-safe (no server imports).
 */
import { z } from 'astro/zod';
import { safePath } from './safe-path.ts';

const MOBILE = /^0[35789]\d{8}$/;

/** Normalises a Vietnamese mobile number to +84 form, or returns undefined when it is not one. */
export function normalizePhone(input: string): string | undefined {
  let s = input.normalize('NFKC').replace(/[\s.\-()]/g, '');
  if (s.startsWith('+84')) s = '0' + s.slice(3);
  else if (s.startsWith('84') && s.length === 11) s = '0' + s.slice(2);
  return MOBILE.test(s) ? '+84' + s.slice(1) : undefined;
}

/** Formats a stored +84 number for display: 0912 345 678. */
export function formatPhone(stored: string): string {
  const local = stored.startsWith('+84') ? '0' + stored.slice(3) : stored;
  return `${local.slice(0, 4)} ${local.slice(4, 7)} ${local.slice(7)}`;
}

/** A Vietnamese mobile number in any common form; output is the +84 normal form. */
export const PhoneSchema = z
  .string({ error: 'Vui lòng nhập số điện thoại.' })
  .max(40, 'Số điện thoại quá dài.')
  .transform((v, ctx) => {
    const p = normalizePhone(v);
    if (!p) {
      ctx.addIssue({ code: 'custom', message: 'Số điện thoại di động cần đủ 10 chữ số, bắt đầu bằng 03, 05, 07, 08 hoặc 09.' });
      return z.NEVER;
    }
    return p;
  });

/**
 * Bidirectional controls: embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069) and the
 * direction marks (U+200E, U+200F, U+061C). They make text display differently than it reads, so a
 * name or question could show as something else on a certificate or a moderator's screen.
 */
export const BIDI_CONTROLS = /[\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/u;

/**
 * Characters that draw nothing by themselves: format characters (zero-width space and joiners
 * U+200B–U+200D, word joiner U+2060 and the invisible operators, BOM U+FEFF, soft hyphen…), Hangul and
 * braille blanks, the combining grapheme joiner and combining marks with nothing to sit on.
 */
const HIDDEN = /[\p{Cf}\p{Mn}\p{Me}\u034F\u115F\u1160\u17B4\u17B5\u180E\u2800\u3164\uFFA0]/gu;
const HIDDEN_ONE = new RegExp(HIDDEN.source, 'u');
const SPACES = /[\p{Z}\s]/gu;

/** Control characters; line breaks and tabs are handled by the caller's normalisation. */
const CONTROL = /\p{Cc}/u;

/** How many characters of `text` a reader actually sees (hidden ones and spaces left out). */
export function visibleLength(text: string): number {
  return [...text.replace(HIDDEN, '').replace(SPACES, '')].length;
}

/** Whether `text` carries any format or filler character (combining marks on a letter are fine). */
export function hasInvisible(text: string): boolean {
  return [...text].some((ch) => HIDDEN_ONE.test(ch) && (ch === '\u034F' || !/\p{M}/u.test(ch)));
}

/** Options of a `visibleText` field. */
export interface VisibleTextOptions {
  /** What the field is, lower-case, for messages: "họ và tên", "câu hỏi". */
  what: string;
  /** Fewest visible characters. */
  min: number;
  /** Most characters in all (counted by code point). */
  max: number;
  /** Keep line breaks (as \n) instead of folding all white space into single spaces. */
  multiline?: boolean;
  /**
   * Refuse any invisible character, not only invisible-only input. Names need this: a zero-width
   * space inside "Nguyễn Văn An" looks the same but is a different name. Free text keeps joiners
   * (emoji sequences use U+200D).
   */
  noInvisible?: boolean;
  /**
   * Refuse text a spreadsheet would run as a formula (`=…`, `@…`, `+x…`, `-x…`): the field goes into
   * exports that officials open in Excel. Imports refuse the same cells.
   */
  noFormula?: boolean;
  /** A valid value shown in the formula message, e.g. "Hộ bác Tư". */
  example?: string;
  /** Also refuse "<" and ">" (names are printed on certificates and slips). */
  noAngleBrackets?: boolean;
}

const cap = (s: string) => s[0]!.toUpperCase() + s.slice(1);

/**
 * The one schema for text people type that others will read: NFC-normalised and trimmed; refuses
 * control characters, bidirectional overrides and isolates, input made only of invisible characters,
 * and text shorter than `min` visible characters. Messages are plain Vietnamese.
 */
export function visibleText(o: VisibleTextOptions) {
  const What = cap(o.what);
  return z
    .string({ error: `Hãy nhập ${o.what}.` })
    .transform((s) => {
      const n = s.normalize('NFC');
      return o.multiline ? n.replace(/\r\n?/g, '\n').trim() : n.replace(/\s+/g, ' ').trim();
    })
    .superRefine((s, ctx) => {
      const issue = (message: string) => ctx.addIssue({ code: 'custom', message });
      const length = [...s].length;
      const visible = visibleLength(s);
      // Lengths count what a reader sees: ordinary spaces count, hidden characters do not.
      const shown = [...s.replace(HIDDEN, '')].length;
      if (CONTROL.test(o.multiline ? s.replace(/[\n\t]/g, '') : s) || BIDI_CONTROLS.test(s)) {
        issue(`${What} có ký tự điều khiển không được phép (ví dụ ký tự đảo chiều chữ). Hãy xóa đi và gõ lại bằng bàn phím.`);
      } else if (length > 0 && visible === 0) {
        issue(`${What} chỉ có ký tự ẩn, không nhìn thấy được. Vui lòng nhập ${o.what} bằng chữ.`);
      } else if (o.noInvisible && hasInvisible(s)) {
        issue(`${What} có ký tự ẩn (không nhìn thấy được). Hãy xóa đi và gõ lại bằng bàn phím.`);
      } else if (o.noFormula && looksLikeFormula(s)) {
        issue(`${What} không được bắt đầu bằng dấu =, @, + hoặc - (bảng tính sẽ hiểu là công thức). Hãy bắt đầu bằng chữ${o.example ? `, ví dụ “${o.example}”` : ''}.`);
      } else if (o.noAngleBrackets && /[<>]/.test(s)) {
        issue(`${What} có ký tự không hợp lệ (dấu < hoặc >).`);
      } else if (shown < o.min) {
        issue(length === 0 ? `${What} không được để trống.` : `${What} cần ít nhất ${o.min} ký tự.`);
      } else if (length > o.max) {
        issue(`${What} dài tối đa ${o.max} ký tự (bạn đã nhập ${length}).`);
      }
    });
}

/**
 * Whether a spreadsheet would read this text as a formula: `=` or `@` first, `+`/`-` followed by
 * anything but a digit or a space (a phone number `+84…` or `-5` stay values), or a leading tab or
 * carriage return.
 */
export function looksLikeFormula(v: string): boolean {
  return /^[=@]/.test(v) || /^[+-][^\d\s]/.test(v) || /^[\t\r]/.test(v);
}

/** Display name: trimmed, NFC-normalised so diacritics are stored one way; nothing hidden in it. */
export const DisplayNameSchema = visibleText({ what: 'họ và tên', min: 2, max: 80, noInvisible: true, noAngleBrackets: true });

/** New password: length rules only (no composition rules); common passwords are refused on the server. */
export const NewPasswordSchema = z
  .string({ error: 'Vui lòng nhập mật khẩu.' })
  .min(8, 'Mật khẩu cần ít nhất 8 ký tự.')
  .max(256, 'Mật khẩu tối đa 256 ký tự.');

/** Password typed at sign-in (no policy, only a sane upper bound). */
export const PasswordInputSchema = z.string({ error: 'Vui lòng nhập mật khẩu.' }).min(1, 'Vui lòng nhập mật khẩu.').max(256, 'Mật khẩu quá dài.');

/** A relative path on this site to return to after sign-in; anything else becomes "/". */
export const NextPathSchema = z
  .unknown()
  .optional()
  .transform((v) => safePath(v));
