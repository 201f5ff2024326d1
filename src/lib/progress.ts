/** Progress in words: lessons and the final quiz apart, so "6/6 bài học" never sits next to 86%. */
export function progressLabel(p: { done: number; total: number; finalPassed: boolean }): string {
  return `Bài học: đã xong ${p.done}/${p.total} · Kiểm tra cuối khóa: ${p.finalPassed ? 'đã qua' : 'chưa qua'}`;
}
