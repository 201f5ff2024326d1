/**
 * The one convention for form posts. Every POST reads its body through `readValidForm` (a streaming
 * byte limit, then a zod schema over the fields), and either
 *  - an endpoint wraps its work in `formEndpoint`, which answers errors with the Vietnamese error page
 *    and success with a 303 (use `seeOther` with a notice code), or
 *  - a page that re-renders with field errors calls `submitForm`, which returns the field errors and
 *    the status to render with.
 * Astro Actions were not used: they have one global body limit and need Astro sessions to redirect
 * without JavaScript.
 */
import type { APIContext, APIRoute } from 'astro';
import type { z } from 'astro/zod';
import { errorResponse, shownError } from './errors.ts';
import { HttpError, readForm } from './request.ts';

const FORM_MESSAGE = 'Vui lòng kiểm tra lại các ô được đánh dấu.';

/**
 * Vietnamese messages for the checks a schema left without its own: zod's defaults are English
 * ("Too big: expected string to have <=200 characters", "Invalid input"), and a crafted or repeated
 * field can reach them. Pass as `safeParse(value, { error: vietnameseIssue })`.
 */
export function vietnameseIssue(issue: { code?: string; origin?: string; input?: unknown }): string {
  if (issue.code === 'too_big') return issue.origin === 'array' || issue.origin === 'set' ? 'Quá nhiều lựa chọn.' : 'Nội dung quá dài.';
  if (issue.code === 'too_small') return 'Nội dung quá ngắn.';
  if (issue.code === 'invalid_type' && issue.input === undefined) return 'Ô này không được để trống.';
  return 'Giá trị không hợp lệ. Hãy tải lại trang rồi thử lại.';
}

/** A form that failed validation: per-field messages (keyed by field name) and a status. */
export class FormError extends HttpError {
  readonly errors: Record<string, string>;
  /** What was typed, to refill the form (text fields only). */
  readonly values: Record<string, string>;
  constructor(errors: Record<string, string>, status = 400, message: string = FORM_MESSAGE, values: Record<string, string> = {}) {
    super(status, message);
    this.errors = errors;
    this.values = values;
  }
}

/** Turns FormData into a plain object: one string per name, or an array when the name repeats. Files are refused. */
export function formObject(form: FormData, allowFiles: readonly string[] = []): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, value] of form.entries()) {
    if (typeof value !== 'string' && !allowFiles.includes(name)) throw new HttpError(400, 'Biểu mẫu không nhận tệp đính kèm.');
    const prev = out[name];
    if (prev === undefined) out[name] = value;
    else if (Array.isArray(prev)) prev.push(value);
    else out[name] = [prev, value];
  }
  return out;
}

/** The first message for each field of a zod error. */
export function fieldErrors(error: z.ZodError): Record<string, string> {
  const out: Record<string, string> = {};
  for (const issue of error.issues) {
    const key = String(issue.path[0] ?? 'form');
    out[key] ??= issue.message;
  }
  return out;
}

/** Options of a form read. */
export interface FormOptions {
  /** Largest body accepted, enforced while streaming. */
  maxBytes: number;
  /** Field names that may carry files (multipart only). */
  files?: readonly string[];
}

/** Options of a POST endpoint. */
export interface EndpointOptions extends FormOptions {
  /**
   * Runs before the body is read: access checks answer for the route whatever the body holds, so an
   * id outside the viewer's scope is a 404 even when the form is malformed.
   */
  authorize?: (context: APIContext) => Promise<void> | void;
}

/** Reads the request's form with a streaming limit and validates it; throws FormError (400) with field messages. */
export async function readValidForm<S extends z.ZodType>(request: Request, schema: S, options: FormOptions): Promise<z.output<S>> {
  const form = await readForm(request, options.maxBytes);
  const values = formObject(form, options.files);
  const parsed = schema.safeParse(values, { error: vietnameseIssue });
  if (!parsed.success) throw new FormError(fieldErrors(parsed.error), 400, undefined, textValues(values));
  return parsed.data;
}

/** The text values of a form, cut short, for refilling fields after an error (never files). */
function textValues(values: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(values)) if (typeof v === 'string') out[k] = v.slice(0, 300);
  return out;
}

/** A POST endpoint: runs `handle` with the validated form; errors become the Vietnamese error page. */
export function formEndpoint<S extends z.ZodType>(
  schema: S,
  options: EndpointOptions,
  handle: (data: z.output<S>, context: APIContext) => Promise<Response>,
): APIRoute {
  return async (context) => {
    try {
      await options.authorize?.(context);
      return await handle(await readValidForm(context.request, schema, options), context);
    } catch (err) {
      return errorResponse(err);
    }
  };
}

/** What a page renders after a submission that did not redirect. */
export interface FormState {
  status: number;
  errors: Record<string, string>;
  message?: string;
  /** The text values submitted, when the form could be read (refill fields with them). */
  values: Record<string, string>;
  /** Seconds to wait when rate-limited (429): pass the state to `withStatus` for Retry-After. */
  retryAfter?: number;
}

/**
 * Runs a page's form submission. On success `handle` returns a Response (usually a redirect) or a
 * value the page renders; on failure the page gets the field errors, message and status.
 */
export async function submitForm<S extends z.ZodType, T>(
  request: Request,
  schema: S,
  options: FormOptions,
  handle: (data: z.output<S>) => Promise<T>,
): Promise<{ ok: true; value: T } | ({ ok: false } & FormState)> {
  let values: Record<string, string> = {};
  try {
    const raw = formObject(await readForm(request, options.maxBytes), options.files);
    values = textValues(raw);
    const parsed = schema.safeParse(raw, { error: vietnameseIssue });
    if (!parsed.success) throw new FormError(fieldErrors(parsed.error));
    return { ok: true, value: await handle(parsed.data) };
  } catch (err) {
    if (err instanceof FormError) {
      const message = Object.keys(err.errors).length && err.message === FORM_MESSAGE ? undefined : err.message;
      return { ok: false, status: err.status, errors: err.errors, message, values };
    }
    const e = shownError(err);
    return { ok: false, status: e.status, errors: {}, message: e.message, values, retryAfter: e.retryAfter };
  }
}
