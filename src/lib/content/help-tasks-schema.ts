/**
 * The fixed list of help-visit tasks (content/help-tasks.yaml): each task has a stable id, one of the
 * five basic skills and a Vietnamese label. Browser-safe.
 */
import { z } from 'astro/zod';
import { IdSchema, SKILLS } from './schema.ts';

export const HelpTaskSchema = z.object({
  id: IdSchema,
  skill: z.enum(SKILLS),
  label: z.string().min(5, 'nhãn việc quá ngắn').max(200, 'nhãn việc dài tối đa 200 ký tự'),
});
export type HelpTask = z.infer<typeof HelpTaskSchema>;

export const HelpTasksSchema = z
  .object({ tasks: z.array(HelpTaskSchema).min(1, 'cần ít nhất một việc') })
  .strict()
  .superRefine((v, ctx) => {
    const seen = new Set<string>();
    v.tasks.forEach((t, i) => {
      if (seen.has(t.id)) ctx.addIssue({ code: 'custom', path: ['tasks', i, 'id'], message: `id “${t.id}” bị trùng` });
      seen.add(t.id);
    });
    for (const s of SKILLS) {
      if (!v.tasks.some((t) => t.skill === s)) ctx.addIssue({ code: 'custom', path: ['tasks'], message: `kỹ năng “${s}” chưa có việc nào` });
    }
  });
