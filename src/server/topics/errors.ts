/** An expected failure of the topic programme, with an HTTP status and a Vietnamese message. */
export class TopicError extends Error {
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.status = status;
  }
}
