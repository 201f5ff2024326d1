/**
 * The team-effectiveness scorecard (content/scorecard.yaml): which named metrics are shown, with the
 * label, target and explanation authors and officials read. The formulas are a fixed set in code
 * (METRICS); the file only picks among them. Browser-safe.
 */
import { z } from 'astro/zod';

/** The named metrics the code knows how to compute (src/server/households/scorecard.ts). */
export const METRICS = ['required-courses-done', 'visits-per-active-member', 'households-meeting-target', 'session-attendance', 'questions-asked'] as const;
export type Metric = (typeof METRICS)[number];

export const CriterionSchema = z
  .object({
    metric: z.enum(METRICS, { error: `metric phải là một trong: ${METRICS.join(', ')}` }),
    label: z.string().min(5, 'nhãn quá ngắn').max(120, 'nhãn dài tối đa 120 ký tự'),
    /** The value to reach (a percent for shares, a number otherwise); omitted: shown without a target. */
    target: z.number().min(0, 'mục tiêu không được âm').max(100000).optional(),
    explanation: z.string().min(20, 'giải thích quá ngắn').max(600, 'giải thích dài tối đa 600 ký tự'),
  })
  .strict();
export type Criterion = z.infer<typeof CriterionSchema>;

export const ScorecardSchema = z
  .object({ criteria: z.array(CriterionSchema).min(1, 'cần ít nhất một tiêu chí').max(12, 'tối đa 12 tiêu chí') })
  .strict()
  .superRefine((v, ctx) => {
    const seen = new Set<string>();
    v.criteria.forEach((c, i) => {
      if (seen.has(c.metric)) ctx.addIssue({ code: 'custom', path: ['criteria', i, 'metric'], message: `chỉ số “${c.metric}” bị lặp` });
      seen.add(c.metric);
      if (c.target !== undefined && c.metric !== 'visits-per-active-member' && c.metric !== 'questions-asked' && c.target > 100) {
        ctx.addIssue({ code: 'custom', path: ['criteria', i, 'target'], message: 'mục tiêu của một tỉ lệ là phần trăm, tối đa 100' });
      }
    });
  });
export type Scorecard = z.infer<typeof ScorecardSchema>;
