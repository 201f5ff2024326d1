/**
 * A small iCalendar (RFC 5545) writer. Written here rather than with a library because the feed's
 * correctness rests on a few rules we test directly: CRLF line ends, lines folded at 75 octets
 * without splitting a UTF-8 character, TEXT escaping, UID + DTSTAMP on every event, and a VTIMEZONE
 * for Asia/Ho_Chi_Minh that TZID references.
 */

/** Vietnam's zone: UTC+7 all year (no daylight saving since 1975). */
export const TZID = 'Asia/Ho_Chi_Minh';
const OFFSET_MS = 7 * 3600_000;
const MAX_OCTETS = 75;

/** A timed event in Vietnam time. */
export interface TimedEvent {
  uid: string;
  start: Date;
  end: Date;
  summary: string;
  description?: string;
  location?: string;
  url?: string;
}

/** An all-day event (e.g. a due date), YYYY-MM-DD. */
export interface DayEvent {
  uid: string;
  date: string;
  summary: string;
  description?: string;
  url?: string;
  /** A display alarm: `trigger` is an RFC 5545 duration relative to the start (e.g. -PT15H). */
  alarm?: { trigger: string; description: string };
}

export type CalendarEvent = TimedEvent | DayEvent;

/** Escapes a TEXT value (RFC 5545 §3.3.11): backslash, semicolon, comma, line breaks. */
export function escapeText(s: string): string {
  return s.replace(/\\/g, '\\\\').replace(/;/g, '\\;').replace(/,/g, '\\,').replace(/\r\n|\r|\n/g, '\\n');
}

/**
 * Folds one content line so no physical line exceeds 75 octets (RFC 5545 §3.1). Breaks fall between
 * code points, so every physical line is valid UTF-8 on its own; continuation lines start with a space.
 */
export function foldLine(line: string): string {
  const out: string[] = [];
  let current = '';
  let octets = 0;
  for (const ch of line) {
    const n = Buffer.byteLength(ch, 'utf8');
    const limit = out.length === 0 ? MAX_OCTETS : MAX_OCTETS - 1;
    if (octets + n > limit) {
      out.push(current);
      current = '';
      octets = 0;
    }
    current += ch;
    octets += n;
  }
  out.push(current);
  return out.join('\r\n ');
}

/** Reverses folding (what a parser does first). */
export function unfold(text: string): string {
  return text.replace(/\r\n[ \t]/g, '');
}

const pad = (n: number) => String(n).padStart(2, '0');

/** 20261128T193000 in Vietnam time (for DTSTART;TZID=Asia/Ho_Chi_Minh). */
export function vnLocal(d: Date): string {
  const v = new Date(d.getTime() + OFFSET_MS);
  return `${v.getUTCFullYear()}${pad(v.getUTCMonth() + 1)}${pad(v.getUTCDate())}T${pad(v.getUTCHours())}${pad(v.getUTCMinutes())}${pad(v.getUTCSeconds())}`;
}

/** 20261122T081500Z */
export function utcStamp(d: Date): string {
  return `${d.getUTCFullYear()}${pad(d.getUTCMonth() + 1)}${pad(d.getUTCDate())}T${pad(d.getUTCHours())}${pad(d.getUTCMinutes())}${pad(d.getUTCSeconds())}Z`;
}

/** Builds a whole VCALENDAR, every line folded and ended with CRLF. */
export function buildCalendar(opts: { name: string; description?: string; events: CalendarEvent[]; now?: Date }): string {
  const stamp = utcStamp(opts.now ?? new Date());
  const lines: string[] = [
    'BEGIN:VCALENDAR',
    'VERSION:2.0',
    'PRODID:-//Hoc So//Lich chuyen de hang thang//VI',
    'CALSCALE:GREGORIAN',
    'METHOD:PUBLISH',
    `X-WR-CALNAME:${escapeText(opts.name)}`,
    ...(opts.description ? [`X-WR-CALDESC:${escapeText(opts.description)}`] : []),
    `X-WR-TIMEZONE:${TZID}`,
    'BEGIN:VTIMEZONE',
    `TZID:${TZID}`,
    'BEGIN:STANDARD',
    'DTSTART:19700101T000000',
    'TZOFFSETFROM:+0700',
    'TZOFFSETTO:+0700',
    'TZNAME:ICT',
    'END:STANDARD',
    'END:VTIMEZONE',
  ];
  for (const e of opts.events) {
    lines.push('BEGIN:VEVENT', `UID:${e.uid}`, `DTSTAMP:${stamp}`);
    if ('date' in e) {
      const day = e.date.replace(/-/g, '');
      const next = new Date(`${e.date}T00:00:00Z`);
      next.setUTCDate(next.getUTCDate() + 1);
      lines.push(`DTSTART;VALUE=DATE:${day}`, `DTEND;VALUE=DATE:${next.toISOString().slice(0, 10).replace(/-/g, '')}`, 'TRANSP:TRANSPARENT');
    } else {
      lines.push(`DTSTART;TZID=${TZID}:${vnLocal(e.start)}`, `DTEND;TZID=${TZID}:${vnLocal(e.end)}`);
      if (e.location) lines.push(`LOCATION:${escapeText(e.location)}`);
    }
    lines.push(`SUMMARY:${escapeText(e.summary)}`);
    if (e.description) lines.push(`DESCRIPTION:${escapeText(e.description)}`);
    if (e.url) lines.push(`URL:${e.url}`);
    if ('date' in e && e.alarm) lines.push('BEGIN:VALARM', 'ACTION:DISPLAY', `TRIGGER:${e.alarm.trigger}`, `DESCRIPTION:${escapeText(e.alarm.description)}`, 'END:VALARM');
    lines.push('END:VEVENT');
  }
  lines.push('END:VCALENDAR');
  return lines.map(foldLine).join('\r\n') + '\r\n';
}
