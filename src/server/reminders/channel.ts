/**
 * Where a reminder goes besides the site. The in-site reminder (shown on the member's next visit) is
 * the one that counts; a channel is an extra. Zalo OA / ZNS would be one (see README, "Reminders"):
 * it needs an Official Account, message templates approved by Zalo, and each member's phone number
 * with their consent. Nothing here calls a network: the implementation in use only logs.
 */

/** One message to one member. */
export interface ReminderMessage {
  userId: string;
  /** +84… */
  phone: string;
  name: string;
  /** Who sent it, as the member knows them (a team or a commune). */
  from: string;
  /** The member's overdue required courses. */
  courses: { title: string; due: string; daysOverdue: number }[];
  /** The page that opens the member's courses. */
  link: string;
}

export interface ReminderChannel {
  /** A short name for logs and the audit entry ("log", "zns"). */
  readonly name: string;
  /** Sends one message; resolves when handed over, rejects when refused. */
  send(message: ReminderMessage): Promise<void>;
}

/** Writes one line per message (phone masked) through `log`. No network. */
export class LoggingChannel implements ReminderChannel {
  readonly name = 'log';
  readonly #log: (line: string) => void;
  constructor(log: (line: string) => void = (line) => console.info(line)) {
    this.#log = log;
  }
  async send(m: ReminderMessage): Promise<void> {
    const phone = m.phone.replace(/\d(?=\d{3})/g, '•');
    this.#log(`[nhắc nhở] ${phone} · ${m.courses.length} khóa quá hạn · từ ${m.from}`);
  }
}

/**
 * A Zalo Notification Service channel would implement `send` by calling the ZNS template API with an
 * OA access token, the approved template id and the template's parameters (name, course, due date,
 * link), for a phone number in 84… form whose owner agreed. It is designed here, not built: we hold no
 * OA, no approved template and no consent records.
 */
let current: ReminderChannel = new LoggingChannel();

/** The channel in use. */
export function reminderChannel(): ReminderChannel {
  return current;
}

/** Replaces the channel (tests; a future ZNS channel at start-up). */
export function setReminderChannel(c: ReminderChannel): void {
  current = c;
}
