// What the order service keeps, and the operations the handlers and the saga need from a store.
// Every operation that moves an order on is conditional on the lease, so that only one runner
// (a PlaceOrder call, a CancelOrder call or recovery, in any process) drives an order at a time.
import type { Probe } from "@shopmesh/kit";
import type { OrderEvent } from "../order-events.js";
import type { PagePosition } from "../page-token.js";
import type { OrderRecord, ProgressChanges, SagaState } from "../order.js";

/** What recording a new order did: stored it, or found the user's order of its request id. */
export type InsertOutcome = { readonly kind: "inserted" } | { readonly kind: "duplicate"; readonly existing: OrderRecord };

/** An order of a user's list and its place there: the next page starts below it. */
export interface ListedOrder {
  readonly order: OrderRecord;
  readonly place: number;
}

/** The event a change implies, made of the order as the change leaves it (undefined: none). */
export type EventOf = (order: OrderRecord) => OrderEvent | undefined;

export interface OrderStore {
  readonly probe: Probe;
  /** Records a new order, unless the user already has an order with its request id. */
  insert(order: OrderRecord): Promise<InsertOutcome>;
  get(id: string): Promise<OrderRecord | undefined>;
  /** The order if it exists and is `userId`'s. */
  getForUser(userId: string, id: string): Promise<OrderRecord | undefined>;
  /** The order of `userId`'s `requestId`: the one of id orderIdFor(userId, requestId). */
  findByRequest(userId: string, requestId: string): Promise<OrderRecord | undefined>;
  /**
   * The order of `userId`'s `requestId` recorded before ids were made of request ids, under a
   * random id: a query FerretDB answers by reading every order, for the rare call that needs it.
   */
  findRecordedBeforeIds(userId: string, requestId: string): Promise<OrderRecord | undefined>;
  /** `userId`'s orders newest first (the order they were recorded in), strictly after `after` if given. */
  list(userId: string, limit: number, after: PagePosition | undefined): Promise<ListedOrder[]>;
  /**
   * Takes the lease of a non-final order whose lease has run out; with `evenIfBackingOff` also one
   * nobody holds but whose retry is not due yet (a customer's cancellation does not wait).
   */
  acquireLease(
    id: string,
    owner: string,
    now: Date,
    until: Date,
    options?: { evenIfBackingOff?: boolean },
  ): Promise<OrderRecord | undefined>;
  /**
   * Applies `changes` if the order is still in `expectedState` and leased by `owner`, renews the
   * lease until `leaseUntil` and resets the attempts; undefined when the lease was lost. The
   * event `eventOf` makes is recorded with the change, atomically, for the outbox relay.
   */
  advance(
    id: string,
    expectedState: SagaState,
    owner: string,
    changes: ProgressChanges,
    now: Date,
    leaseUntil: Date,
    eventOf?: EventOf,
  ): Promise<OrderRecord | undefined>;
  /** Events recorded with changes before `before` and not marked published, oldest first. */
  pendingEvents(before: Date, limit: number): Promise<OrderEvent[]>;
  /** Marks `event` published (a no-op if it was already). */
  markEventPublished(event: OrderEvent): Promise<void>;
  /** Gives the lease up until `retryAt`, counting a failed attempt. */
  postpone(id: string, owner: string, retryAt: Date, attempts: number): Promise<void>;
  /**
   * Asks for a not yet shipped order of `userId` to be cancelled with `reason` (a reason asked for
   * earlier is kept). Returns the order as it is afterwards, whatever its state.
   */
  requestCancel(userId: string, id: string, reason: string): Promise<OrderRecord | undefined>;
  /** Non-final orders whose lease has run out, oldest lease first. */
  findRecoverable(now: Date, limit: number): Promise<OrderRecord[]>;
}
