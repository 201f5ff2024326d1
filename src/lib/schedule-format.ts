/** Browser-safe wording of monthly topic sessions, in Vietnam time. */

const TZ = 'Asia/Ho_Chi_Minh';
const dayFmt = new Intl.DateTimeFormat('vi-VN', { timeZone: TZ, weekday: 'long', day: '2-digit', month: '2-digit', year: 'numeric' });
const timeFmt = new Intl.DateTimeFormat('vi-VN', { timeZone: TZ, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });

/** "Thứ Bảy, 28/11/2026, 19:30–21:00 (giờ Việt Nam)" */
export function formatSession(start: Date, end: Date): string {
  return `${dayFmt.format(start)}, ${timeFmt.format(start)}–${timeFmt.format(end)} (giờ Việt Nam)`;
}

/** "19:30" in Vietnam time. */
export function formatTime(d: Date): string {
  return timeFmt.format(d);
}

/** "5 ngày 3 giờ", "2 giờ 10 phút", "8 phút": time left until `target`. */
export function countdownText(ms: number): string {
  const min = Math.max(0, Math.ceil(ms / 60_000));
  const d = Math.floor(min / 1440);
  const h = Math.floor((min % 1440) / 60);
  const m = min % 60;
  if (d > 0) return `${d} ngày${h ? ` ${h} giờ` : ''}`;
  if (h > 0) return `${h} giờ${m ? ` ${m} phút` : ''}`;
  return `${m} phút`;
}
