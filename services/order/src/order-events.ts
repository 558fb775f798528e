// The events an order publishes when it ends: OrderConfirmed or OrderCancelled, each once, built
// from the order as its final state was recorded (the outbox entry holds them; see the store).
import { randomUUID } from "node:crypto";
import { create, toBinary } from "@bufbuild/protobuf";
import { timestampFromMs } from "@bufbuild/protobuf/wkt";
import { EventMetaSchema } from "@shopmesh/gen/shop/common/v1/common_pb.js";
import { OrderCancelledSchema, OrderConfirmedSchema } from "@shopmesh/gen/shop/order/v1/events_pb.js";
import type { OutgoingEvent } from "@shopmesh/events";
import type { OrderRecord } from "./order.js";
import { toOrderMessage } from "./order-message.js";

/** An order's event as its outbox keeps it: which order it belongs to, for marking it published. */
export interface OrderEvent extends OutgoingEvent {
  readonly orderId: string;
}

export const orderEventSchemaVersion = 1;

/** The event of `order` reaching its final state at `nowMs`, under the trace context `trace`; undefined for any other state. */
export function finalOrderEvent(order: OrderRecord, nowMs: number, trace: Readonly<Record<string, string>>): OrderEvent | undefined {
  if (order.state !== "CONFIRMED" && order.state !== "CANCELLED") return undefined;
  const id = `evt_${randomUUID().replaceAll("-", "")}`;
  const meta = create(EventMetaSchema, {
    eventId: id,
    aggregateId: order.id,
    occurTime: timestampFromMs(nowMs),
    schemaVersion: orderEventSchemaVersion,
  });
  const message = toOrderMessage(order);
  const [type, data] =
    order.state === "CONFIRMED"
      ? [OrderConfirmedSchema.typeName, toBinary(OrderConfirmedSchema, create(OrderConfirmedSchema, { meta, order: message }))]
      : [OrderCancelledSchema.typeName, toBinary(OrderCancelledSchema, create(OrderCancelledSchema, { meta, order: message }))];
  return { id, orderId: order.id, type, data, time: new Date(nowMs), trace };
}
