/** Browser-safe formatting in Vietnamese. */

const dateFmt = new Intl.DateTimeFormat('vi-VN', { timeZone: 'Asia/Ho_Chi_Minh', day: '2-digit', month: '2-digit', year: 'numeric' });
const dateTimeFmt = new Intl.DateTimeFormat('vi-VN', {
  timeZone: 'Asia/Ho_Chi_Minh',
  day: '2-digit',
  month: '2-digit',
  year: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
});

/** 22/11/2026 (Vietnam time). */
export function formatDate(d: Date | string): string {
  return dateFmt.format(new Date(d));
}

/** 14:05 22/11/2026 (Vietnam time). */
export function formatDateTime(d: Date | string): string {
  return dateTimeFmt.format(new Date(d));
}

const timeFmt = new Intl.DateTimeFormat('vi-VN', { timeZone: 'Asia/Ho_Chi_Minh', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });

/** 14:05 (Vietnam time). */
export function formatTime(d: Date | string): string {
  return timeFmt.format(new Date(d));
}

/**
 * The note on a report read from a replica that lags: “Số liệu cập nhật đến 14:05 (chậm khoảng
 * 40 giây)”, in minutes from two minutes on.
 */
export function stalenessNote(asOf: Date | string, seconds: number): string {
  const s = Math.max(1, Math.round(seconds));
  const behind = s < 120 ? `${s} giây` : `${Math.round(s / 60).toLocaleString('vi-VN')} phút`;
  return `Số liệu cập nhật đến ${formatTime(asOf)} (chậm khoảng ${behind})`;
}

/**
 * A required course's countdown: “Còn 5 ngày”, “Hạn chót hôm nay”, “Quá hạn 3 ngày”, “Đã hoàn thành”.
 * `daysLeft` counts Vietnam calendar days to the due date (negative once past).
 */
export function dueCountdown(c: { daysLeft: number; done: boolean; overdue: boolean }): string {
  if (c.done) return 'Đã hoàn thành';
  if (c.overdue) return `Quá hạn ${Math.max(1, -c.daysLeft)} ngày`;
  if (c.daysLeft <= 0) return 'Hạn chót hôm nay';
  return `Còn ${c.daysLeft} ngày`;
}
