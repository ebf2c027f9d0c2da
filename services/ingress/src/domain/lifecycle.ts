import type { EventDraft, EventSink } from './ports.js';

type Payload = NonNullable<EventDraft['payload']>;

/**
 * The lifecycle events of one request. Appends keep call order; `note` does not wait for the
 * disk (for events on the hot path such as first_token), `commit` does (usage must be durable
 * before the client sees its final message). A failed note surfaces at the next commit.
 */
export class RequestLifecycle {
  private chain: Promise<void> = Promise.resolve();

  constructor(
    private readonly sink: EventSink,
    private readonly ids: { tenantId: string; requestId: string; traceId: string },
  ) {}

  note(...payloads: Payload[]): void {
    const drafts = payloads.map((payload) => ({ ...this.ids, payload }));
    const p = this.sink.append(drafts).then(() => undefined);
    this.chain = this.chain.then(() => p);
    p.catch(() => undefined);
  }

  async commit(...payloads: Payload[]): Promise<void> {
    this.note(...payloads);
    await this.chain;
  }
}
