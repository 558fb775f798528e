// A user's open Subscribe stream of notifications, read in the background, as a storefront would.
import { ConnectError, type Client } from "@connectrpc/connect";
import type { Notification, NotificationService } from "@shopmesh/gen/shop/notification/v1/notification_pb.js";
import { asUser } from "./callers.js";

export interface Subscription {
  /** What arrived so far, in order. */
  readonly received: Notification[];
  /** The stream's end: its error (CANCELED after cancel()), or undefined if it ended with OK. */
  readonly ended: Promise<ConnectError | undefined>;
  cancel(): void;
}

/** Subscribes as `userId` (none: without identity), after `afterId` if given. */
export function subscribe(
  client: Pick<Client<typeof NotificationService>, "subscribe">,
  userId: string | undefined,
  afterId = "",
): Subscription {
  const controller = new AbortController();
  const received: Notification[] = [];
  const options = { ...(userId === undefined ? {} : asUser(userId)), signal: controller.signal };
  const ended = (async () => {
    try {
      for await (const res of client.subscribe({ afterId }, options)) {
        if (res.notification !== undefined) received.push(res.notification);
      }
      return undefined;
    } catch (err) {
      if (err instanceof ConnectError) return err;
      throw err;
    }
  })();
  return { received, ended, cancel: () => controller.abort() };
}
