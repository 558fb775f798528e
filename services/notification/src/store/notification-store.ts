// What the handlers need from the notification storage, in domain terms (no protobuf messages).
import type { NotificationKind } from "@shopmesh/gen/shop/notification/v1/notification_pb.js";
import type { Probe } from "@shopmesh/kit";

/** One stored notification. */
export interface NotificationRecord {
  /** The stream entry id: unique per user, increasing in creation order; the Subscribe cursor. */
  readonly id: string;
  readonly userId: string;
  /** Never NOTIFICATION_KIND_UNSPECIFIED. */
  readonly kind: NotificationKind;
  readonly text: string;
  /** Epoch milliseconds. */
  readonly createTimeMs: number;
}

export interface NotificationPage {
  /** Newest first. */
  readonly records: readonly NotificationRecord[];
  /** Whether older notifications follow the last one of this page. */
  readonly more: boolean;
}

/** Subscribe's `after_id` is well formed but newer than any notification issued to the user. */
export class AfterIdNotIssuedError extends Error {
  override readonly name = "AfterIdNotIssuedError";
  constructor(readonly afterId: string) {
    super(`after_id ${afterId} is not a notification id issued by this service`);
  }
}

/**
 * A subscriber read so slowly that notifications it had not received yet aged out of the kept
 * history: continuing would skip them silently.
 */
export class SubscriberFellBehindError extends Error {
  override readonly name = "SubscriberFellBehindError";
  constructor(readonly lastDeliveredId: string) {
    super(`notifications after ${lastDeliveredId} aged out before the subscriber read them`);
  }
}

export interface NotificationStore {
  /** For the kit's health checks. */
  readonly probe: Probe;

  /** Stores a new notification (and drops the user's oldest beyond the history limit). */
  append(userId: string, kind: NotificationKind, text: string): Promise<NotificationRecord>;

  /**
   * Stores the notification an event makes, unless that event made one already: either way in one
   * atomic step, so a redelivered event never shows twice. `added` says which.
   */
  appendForEvent(eventId: string, userId: string, kind: NotificationKind, text: string): Promise<{ id: string; added: boolean }>;

  /** Up to `limit` of the user's notifications, newest first, all older than `olderThanId` if set. */
  listNewestFirst(userId: string, limit: number, olderThanId?: string): Promise<NotificationPage>;

  /**
   * The user's notifications after `afterId` (or, without one, those created from now on),
   * oldest first, then each new one as it is stored, each once. Runs on a connection of its
   * own until `signal` aborts, then ends (and closes that connection). Throws
   * AfterIdNotIssuedError before the first notification, SubscriberFellBehindError when the
   * consumer reads too slowly, and ConnectError UNAVAILABLE when the store is unreachable.
   */
  follow(userId: string, afterId: string | undefined, signal: AbortSignal): AsyncGenerator<NotificationRecord, void, undefined>;
}
