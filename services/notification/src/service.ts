// NotificationService handlers: validate, call the store, map to messages and contract errors.
import { Code, ConnectError, type ServiceImpl } from "@connectrpc/connect";
import type { NotificationService } from "@shopmesh/gen/shop/notification/v1/notification_pb.js";
import { characterCount, pageLimit, pageSizeProblem } from "@shopmesh/domain";
import { requireCaller, Violations } from "@shopmesh/kit";
import type { PageTokens } from "./page-token.js";
import { isSendableKind, toNotificationMessage } from "./store/mappers.js";
import { AfterIdNotIssuedError, SubscriberFellBehindError, type NotificationStore } from "./store/notification-store.js";
import { isStreamId } from "./store/stream-id.js";

export interface NotificationServiceDeps {
  readonly store: NotificationStore;
  readonly pageTokens: PageTokens;
}

/** The contract's bounds (notification.proto). */
export const maxUserIdLength = 64;
export const maxTextLength = 1000;

export function createNotificationService(deps: NotificationServiceDeps): ServiceImpl<typeof NotificationService> {
  const { store, pageTokens } = deps;

  return {
    async sendNotification(req) {
      const v = new Violations();
      if (v.check(req.userId !== "", "user_id", "must not be empty")) {
        v.check(characterCount(req.userId) <= maxUserIdLength, "user_id", `must be at most ${maxUserIdLength} characters`);
      }
      v.check(
        isSendableKind(req.kind),
        "kind",
        `must be a known NotificationKind other than NOTIFICATION_KIND_UNSPECIFIED (got ${req.kind})`,
      );
      if (v.check(req.text.trim() !== "", "text", "must not be blank")) {
        v.check(characterCount(req.text) <= maxTextLength, "text", `must be at most ${maxTextLength} characters`);
      }
      v.throwIfAny();
      const record = await store.append(req.userId, req.kind, req.text);
      return { notification: toNotificationMessage(record) };
    },

    async listNotifications(req, ctx) {
      const { userId } = requireCaller(ctx);
      const v = new Violations();
      const sizeProblem = pageSizeProblem(req.pageSize);
      if (sizeProblem !== undefined) v.add("page_size", sizeProblem);
      let olderThanId: string | undefined;
      if (req.pageToken !== "") {
        const token = pageTokens.read(req.pageToken, userId);
        if (token.ok) olderThanId = token.cursor;
        else v.add("page_token", token.problem);
      }
      v.throwIfAny();
      const pageSize = pageLimit(req.pageSize);
      const page = await store.listNewestFirst(userId, pageSize, olderThanId);
      const last = page.records.at(-1);
      return {
        notifications: page.records.map(toNotificationMessage),
        nextPageToken: page.more && last !== undefined ? pageTokens.issue(userId, last.id) : "",
      };
    },

    async *subscribe(req, ctx) {
      const { userId } = requireCaller(ctx);
      const v = new Violations();
      v.check(req.afterId === "" || isStreamId(req.afterId), "after_id", "must be a notification id issued by this service");
      v.throwIfAny();
      try {
        for await (const record of store.follow(userId, req.afterId === "" ? undefined : req.afterId, ctx.signal)) {
          yield { notification: toNotificationMessage(record) };
        }
      } catch (err) {
        throw subscribeError(err);
      }
    },
  };
}

/** Subscribe's domain errors as the contract names them; anything else passes unchanged. */
function subscribeError(err: unknown): unknown {
  if (err instanceof AfterIdNotIssuedError) {
    return new Violations().add("after_id", "must be a notification id issued by this service").error();
  }
  if (err instanceof SubscriberFellBehindError) {
    return new ConnectError(
      `the client reads too slowly: notifications after ${err.lastDeliveredId} aged out before they were sent; ` +
        "subscribe again with after_id set to the last id received",
      Code.Unavailable,
    );
  }
  return err;
}
