// The shopper's notifications: the latest from ListNotifications, then new ones live from
// Subscribe. When the stream breaks it resubscribes with the last id received, with backoff, so
// nothing is missed and nothing repeats (the contract of NotificationService.Subscribe).
import { Code, ConnectError } from "@connectrpc/connect";
import type { Notification } from "@shopmesh/gen/shop/notification/v1/notification_pb.js";
import type { Api } from "./api.js";

export type FeedStatus = "connecting" | "live" | "reconnecting";

export interface FeedEvents {
  /** Anything shown changed (items, unread count, status). */
  changed(): void;
  /** A notification arrived while the page was open. */
  arrived(notification: Notification): void;
  /** The token was refused: the session is over. */
  unauthenticated(): void;
}

const historySize = 20;
const retryBaseMs = 500;
const retryMaxMs = 10_000;
const healthyStreamMs = 5_000;

export class NotificationFeed {
  /** Newest first. */
  items: Notification[] = [];
  unread = 0;
  status: FeedStatus = "connecting";
  private readonly abort = new AbortController();
  private readonly seen = new Set<string>();
  private lastId = "";

  constructor(
    private readonly api: Api,
    private readonly events: FeedEvents,
  ) {}

  start(): void {
    void this.run();
  }

  stop(): void {
    this.abort.abort();
  }

  markRead(): void {
    if (this.unread === 0) return;
    this.unread = 0;
    this.events.changed();
  }

  private async run(): Promise<void> {
    const signal = this.abort.signal;
    let loaded = false;
    for (let attempt = 0; !signal.aborted; attempt++) {
      let subscribed: number | undefined;
      try {
        if (!loaded) {
          const page = await this.api.notifications.listNotifications({ pageSize: historySize }, { signal });
          this.items = [...page.notifications];
          for (const n of this.items) this.seen.add(n.id);
          this.lastId = this.items[0]?.id ?? "";
          loaded = true;
        }
        // The service may send its headers only with the first notification, so the stream
        // counts as live from the start; a failure to open it shows within moments.
        subscribed = Date.now();
        this.setStatus("live");
        const stream = this.api.notifications.subscribe({ afterId: this.lastId }, { signal, timeoutMs: 0 });
        for await (const { notification } of stream) {
          if (notification !== undefined) this.receive(notification);
        }
        // The stream never ends with OK on its own; treat an end as a break.
      } catch (err) {
        if (signal.aborted) return;
        const code = ConnectError.from(err).code;
        if (code === Code.Unauthenticated) {
          this.events.unauthenticated();
          return;
        }
        // The cursor aged out of the kept history: start again from the latest.
        if (code === Code.InvalidArgument) loaded = false;
      }
      // A stream that ran for a while was healthy: start the backoff again from the shortest.
      if (subscribed !== undefined && Date.now() - subscribed > healthyStreamMs) attempt = 0;
      this.setStatus("reconnecting");
      await sleep(backoffMs(attempt), signal);
    }
  }

  private receive(notification: Notification): void {
    this.lastId = notification.id;
    if (this.seen.has(notification.id)) return;
    this.seen.add(notification.id);
    this.items = [notification, ...this.items].slice(0, 100);
    this.unread++;
    this.events.arrived(notification);
    this.events.changed();
  }

  private setStatus(status: FeedStatus): void {
    if (this.status === status) return;
    this.status = status;
    this.events.changed();
  }
}

/** Exponential with full jitter, so many pages do not reconnect in step after an outage. */
function backoffMs(attempt: number): number {
  return Math.random() * Math.min(retryMaxMs, retryBaseMs * 2 ** attempt);
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    signal.addEventListener("abort", done, { once: true });
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    }
  });
}
