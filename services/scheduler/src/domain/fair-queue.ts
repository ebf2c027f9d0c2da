/** A queued item; the handle `remove` takes. Owned by the queue until dequeued or removed. */
export interface QueueTicket<T> {
  readonly tenant: string;
  readonly item: T;
}

/**
 * A bounded queue, fair across tenants: `drain` serves tenants round-robin, one item per turn,
 * FIFO within a tenant, so a tenant that floods the queue delays only itself once others wait.
 * Capacity counts items across all tenants. Removal (cancel, deadline) is O(queued), which is
 * cheap at the capacities a scheduler should run with (hundreds).
 */
export class FairQueue<T> {
  private readonly byTenant = new Map<string, QueueTicket<T>[]>();
  /** Tenants with waiting items, in turn order; `cursor` is the next to serve. */
  private readonly ring: string[] = [];
  private cursor = 0;
  private count = 0;

  constructor(readonly capacity: number) {}

  get size(): number {
    return this.count;
  }

  /** Enqueues at the tail of the tenant's FIFO; undefined when the queue is full. */
  push(tenant: string, item: T): QueueTicket<T> | undefined {
    if (this.count >= this.capacity) return undefined;
    const ticket = { tenant, item };
    const list = this.byTenant.get(tenant);
    if (list === undefined) {
      this.byTenant.set(tenant, [ticket]);
      this.ring.push(tenant);
    } else {
      list.push(ticket);
    }
    this.count++;
    return ticket;
  }

  /** Removes a waiting item; false when it already left (dequeued or removed). */
  remove(ticket: QueueTicket<T>): boolean {
    const list = this.byTenant.get(ticket.tenant);
    const at = list?.indexOf(ticket) ?? -1;
    if (list === undefined || at < 0) return false;
    list.splice(at, 1);
    this.count--;
    if (list.length === 0) this.dropTenant(ticket.tenant);
    return true;
  }

  /**
   * Offers items to `take`, tenants in turn, until a full round takes nothing. Within a tenant
   * the first item `take` accepts is dequeued. Items sharing a `keyOf` key are assumed to need
   * the same resource: once `take` refuses one, the rest of that key are skipped for this drain,
   * which keeps FIFO order within a (tenant, key) and bounds the work per drain.
   * Returns the number of items taken.
   */
  drain(take: (item: T) => boolean, keyOf: (item: T) => string): number {
    const blocked = new Set<string>();
    let taken = 0;
    let idleTurns = 0;
    // A tenant that could not be served keeps its turn: only a take moves the persistent cursor.
    let pos = this.cursor;
    while (this.ring.length > 0 && idleTurns < this.ring.length) {
      if (pos >= this.ring.length) pos = 0;
      const tenant = this.ring[pos]!;
      const list = this.byTenant.get(tenant)!;
      let took = false;
      for (let i = 0; i < list.length; i++) {
        const item = list[i]!.item;
        const key = keyOf(item);
        if (blocked.has(key)) continue;
        if (take(item)) {
          list.splice(i, 1);
          this.count--;
          took = true;
          break;
        }
        blocked.add(key);
      }
      if (!took) {
        idleTurns++;
        pos++;
        continue;
      }
      taken++;
      idleTurns = 0;
      if (list.length === 0) this.dropTenant(tenant);
      else pos++;
      this.cursor = pos;
    }
    return taken;
  }

  /** Every waiting item, tenants in turn order; for shutdown and diagnostics. */
  items(): T[] {
    return this.ring.flatMap((t) => this.byTenant.get(t)!.map((ticket) => ticket.item));
  }

  private dropTenant(tenant: string): void {
    this.byTenant.delete(tenant);
    const at = this.ring.indexOf(tenant);
    this.ring.splice(at, 1);
    if (at < this.cursor) this.cursor--;
  }
}
