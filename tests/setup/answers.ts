/** Test helpers that answer quiz questions correctly, as a learner's browser would post them. */
import type { Question } from '../../src/lib/content/schema.ts';
import type { FormEntries } from '../../src/server/learning/quiz.ts';

/** Form fields that answer `q` correctly when shown in `order` (display keys are positions). */
export function correctFields(q: Question, order: string[]): [string, string][] {
  switch (q.type) {
    case 'single':
      return [[`q-${q.id}`, String(order.indexOf(q.answer))]];
    case 'truefalse':
      return [[`q-${q.id}`, String(order.indexOf(String(q.answer)))]];
    case 'multiple':
      return q.answer.map((a) => [`q-${q.id}`, String(order.indexOf(a))]);
    case 'order':
      return order.map((id, k) => [`q-${q.id}--${k}`, String(q.steps.findIndex((s) => s.id === id) + 1)]);
  }
}

/** Name/value pairs as the server receives a form: every value of every field name. */
export function formOf(pairs: [string, string][]): FormEntries {
  const m: FormEntries = new Map();
  for (const [k, v] of pairs) m.set(k, [...(m.get(k) ?? []), v]);
  return m;
}
