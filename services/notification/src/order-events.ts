// The notifications the order events make: one per OrderConfirmed or OrderCancelled, told to the
// order's user, stored at most once per event id (the broker may deliver an event again).
import { OrderCancelledSchema, OrderConfirmedSchema } from "@shopmesh/gen/shop/order/v1/events_pb.js";
import type { Order } from "@shopmesh/gen/shop/order/v1/order_pb.js";
import { NotificationKind } from "@shopmesh/gen/shop/notification/v1/notification_pb.js";
import { amountFromMoney, formatAmount } from "@shopmesh/domain";
import { on, UnusableEvent, type EventHandler } from "@shopmesh/events";
import type { Logger } from "@shopmesh/kit";
import type { NotificationStore } from "./store/notification-store.js";

/** The schema versions of shop.order.v1 events this service reads. */
const orderEventVersions = [1];

function total(order: Order): string {
  const amount = order.total === undefined ? [] : amountFromMoney(order.total);
  return Array.isArray(amount) ? "" : `, total ${formatAmount(amount)}`;
}

export function confirmedText(order: Order): string {
  const items = order.lines.reduce((n, l) => n + l.quantity, 0);
  const tracking = order.trackingId !== "" ? `, tracking id ${order.trackingId}` : "";
  return `Your order ${order.id} is confirmed: ${items} item(s)${total(order)}${tracking}.`;
}

export function cancelledText(order: Order): string {
  return `Your order ${order.id} was cancelled: ${order.cancelReason || "cancelled"}.`;
}

/** An event without its order cannot be told to anyone: the consumer dead-letters it at once. */
function orderOf(order: Order | undefined, type: string): Order {
  if (order === undefined || order.userId === "") throw new UnusableEvent(`${type} without an order and its user`);
  return order;
}

export function orderEventHandlers(store: NotificationStore, logger: Logger): Record<string, EventHandler> {
  /** The handler of an order event that tells the user `text(order)` as a `kind` notification. */
  const notifying = (
    schema: typeof OrderConfirmedSchema | typeof OrderCancelledSchema,
    kind: NotificationKind,
    text: (o: Order) => string,
  ) =>
    on({
      schema,
      versions: orderEventVersions,
      meta: (m) => m.meta,
      handle: async (m, { meta }) => {
        const order = orderOf(m.order, schema.typeName);
        const { id, added } = await store.appendForEvent(meta.eventId, order.userId, kind, text(order));
        if (!added)
          logger.info({ event_id: meta.eventId, order_id: order.id, notification_id: id }, "event seen before; no second notification");
      },
    });
  return {
    [OrderConfirmedSchema.typeName]: notifying(OrderConfirmedSchema, NotificationKind.ORDER_CONFIRMED, confirmedText),
    [OrderCancelledSchema.typeName]: notifying(OrderCancelledSchema, NotificationKind.ORDER_CANCELLED, cancelledText),
  };
}
