// OrderService handlers: validate, act for the caller, map to messages.
import type { HandlerContext, ServiceImpl } from "@connectrpc/connect";
import type { OrderService } from "@shopmesh/gen/shop/order/v1/order_pb.js";
import { requestIdKey, requireCaller, Violations, type Clock } from "@shopmesh/kit";
import type { Cancellation } from "./cancellation.js";
import { checkCard } from "./card.js";
import { orderNotFound } from "./errors.js";
import type { PageTokens } from "./page-token.js";
import type { CallContext } from "./call-context.js";
import type { Placement } from "./placement.js";
import { toOrderMessage } from "./order-message.js";
import type { OrderStore } from "./store/order-store.js";
import { checkAddress, checkOrderId, checkReason, checkRequestId, pageSize } from "./validation.js";

export interface OrderServiceDeps {
  readonly store: OrderStore;
  readonly placement: Placement;
  readonly cancellation: Cancellation;
  readonly pageTokens: PageTokens;
  /** Epoch milliseconds; decides card expiry. */
  readonly clock: Clock;
}

function callContext(ctx: HandlerContext, clock: Clock): CallContext {
  const timeoutMs = ctx.timeoutMs();
  return {
    signal: ctx.signal,
    rpcRequestId: ctx.values.get(requestIdKey),
    deadline: timeoutMs === undefined ? undefined : clock() + timeoutMs,
  };
}

export function createOrderService(deps: OrderServiceDeps): ServiceImpl<typeof OrderService> {
  const { store, placement, cancellation, pageTokens } = deps;

  return {
    async placeOrder(req, ctx) {
      const v = new Violations();
      checkRequestId(v, "request_id", req.requestId);
      checkAddress(v, "shipping_address", req.shippingAddress);
      checkCard(v, "card", req.card, new Date(deps.clock()));
      v.throwIfAny();
      const { userId } = requireCaller(ctx);
      // Both are set: the checks above reject a request without them.
      const address = req.shippingAddress as NonNullable<typeof req.shippingAddress>;
      const card = req.card as NonNullable<typeof req.card>;
      const order = await placement.placeOrder(userId, { requestId: req.requestId, address, card }, callContext(ctx, deps.clock));
      return { order: toOrderMessage(order) };
    },

    async getOrder(req, ctx) {
      const v = new Violations();
      checkOrderId(v, "order_id", req.orderId);
      v.throwIfAny();
      const { userId } = requireCaller(ctx);
      const order = await store.getForUser(userId, req.orderId);
      if (order === undefined) throw orderNotFound(req.orderId);
      return { order: toOrderMessage(order) };
    },

    async listOrders(req, ctx) {
      const v = new Violations();
      const limit = pageSize(v, "page_size", req.pageSize);
      v.throwIfAny();
      const { userId } = requireCaller(ctx);
      // A token is bound to the user it was issued to, so it is checked once the caller is known.
      const after = req.pageToken === "" ? undefined : pageTokens.read(userId, req.pageToken);
      v.check(req.pageToken === "" || after !== undefined, "page_token", "is malformed, was tampered with or was issued to another user");
      v.throwIfAny();
      const page = await store.list(userId, limit + 1, after);
      const listed = page.slice(0, limit);
      const last = listed[listed.length - 1];
      const nextPageToken = page.length > limit && last !== undefined ? pageTokens.issue(userId, { place: last.place }) : "";
      return { orders: listed.map((l) => toOrderMessage(l.order)), nextPageToken };
    },

    async cancelOrder(req, ctx) {
      const v = new Violations();
      checkOrderId(v, "order_id", req.orderId);
      checkReason(v, "reason", req.reason);
      v.throwIfAny();
      const { userId } = requireCaller(ctx);
      const order = await cancellation.cancelOrder(userId, req.orderId, req.reason, callContext(ctx, deps.clock));
      return { order: toOrderMessage(order) };
    },
  };
}
