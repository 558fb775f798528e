// A shopper with the storefront open: one NotificationService.Subscribe stream held for the whole
// run. A stream that breaks counts as an error and is opened again after a pause with `after_id`
// set to the last notification received, as the contract says, so nothing is missed.
import { setTimeout as sleep } from "node:timers/promises";
import { ConnectError } from "@connectrpc/connect";
import type { NotificationService } from "@shopmesh/gen/shop/notification/v1/notification_pb.js";
import { codeName, type GrpcClient } from "@shopmesh/kit";
import type { Account } from "./accounts.js";

export interface StreamStats {
  /** Subscribe calls made (the first of each subscriber, and each reopening). */
  readonly opened: number;
  /** Streams open when the load stopped: held to the end. */
  readonly open: number;
  /** Notifications received over all streams. */
  readonly messages: number;
  /** Streams that ended before the load stopped, by gRPC code. */
  readonly broken: Readonly<Record<string, number>>;
}

export interface StreamEvents {
  opened(): void;
  message(): void;
  /** The stream was open when the load stopped. */
  heldToEnd(): void;
  broken(code: string, message: string): void;
}

export const subscribeMethod = "NotificationService/Subscribe";

const reopenAfterMs = 500;
/** The client's deadline for a stream: longer than any run (stop() cancels it). */
const streamDeadlineMs = 7 * 24 * 3600 * 1000;

/** Holds `account`'s stream until `signal` aborts. */
export async function holdSubscription(
  client: GrpcClient<typeof NotificationService>,
  account: Account,
  events: StreamEvents,
  signal: AbortSignal,
): Promise<void> {
  let afterId = "";
  while (!signal.aborted) {
    events.opened();
    try {
      const headers = await account.headers();
      for await (const { notification } of client.subscribe({ afterId }, { headers, signal, timeoutMs: streamDeadlineMs })) {
        events.message();
        afterId = notification?.id ?? afterId;
      }
      // The contract says a stream never ends with OK on its own: that is a broken one too.
      events.broken("OK", "the stream ended");
    } catch (err) {
      if (signal.aborted) {
        events.heldToEnd();
        return;
      }
      const e = ConnectError.from(err);
      events.broken(codeName(e.code), e.rawMessage);
    }
    await sleep(reopenAfterMs, undefined, { signal }).catch(() => undefined);
  }
}
