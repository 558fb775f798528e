// Between stored orders and shop.order.v1 messages.
import { create } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import type { Address } from "@shopmesh/gen/shop/common/v1/common_pb.js";
import { OrderSchema, OrderState, type Order } from "@shopmesh/gen/shop/order/v1/order_pb.js";
import { moneyFromAmount } from "../money.js";
import type { SagaState } from "../saga/state-machine.js";
import type { AddressRecord, OrderRecord } from "./order-store.js";

const stateEnum: Record<SagaState, OrderState> = {
  PENDING: OrderState.PENDING,
  RESERVED: OrderState.RESERVED,
  PAID: OrderState.PAID,
  SHIPPED: OrderState.SHIPPED,
  CONFIRMED: OrderState.CONFIRMED,
  CANCELLED: OrderState.CANCELLED,
};

export function toOrderMessage(order: OrderRecord): Order {
  const money = (cents: number) => moneyFromAmount({ currency: order.currency, cents });
  return create(OrderSchema, {
    id: order.id,
    userId: order.userId,
    requestId: order.requestId,
    state: stateEnum[order.state],
    lines: order.lines.map((l) => ({
      productId: l.productId,
      sku: l.sku,
      name: l.name,
      quantity: l.quantity,
      unitPrice: money(l.unitPriceCents),
      lineTotal: money(l.lineTotalCents),
    })),
    subtotal: money(order.subtotalCents),
    shippingCost: money(order.shippingCents),
    total: money(order.totalCents),
    shippingAddress: toAddressMessage(order.address),
    paymentId: order.paymentId,
    shipmentId: order.shipmentId,
    trackingId: order.trackingId,
    // A reason recorded while compensation is pending is shown once the order is CANCELLED.
    cancelReason: order.state === "CANCELLED" ? order.cancelReason : "",
    createTime: timestampFromDate(order.createTime),
    updateTime: timestampFromDate(order.updateTime),
  });
}

export function toAddressMessage(address: AddressRecord): Omit<Address, "$typeName"> {
  return {
    recipientName: address.recipientName,
    streetLines: [...address.streetLines],
    city: address.city,
    postalCode: address.postalCode,
    regionCode: address.regionCode,
  };
}

export function toAddressRecord(address: Address): AddressRecord {
  return {
    recipientName: address.recipientName,
    streetLines: [...address.streetLines],
    city: address.city,
    postalCode: address.postalCode,
    regionCode: address.regionCode,
  };
}
