// The order as the contract shows it (shop.order.v1.Order), and the address both ways between
// the wire and the record. Only the handlers and the saga's calls use these; the store maps its
// own documents.
import { create } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import type { Address } from "@shopmesh/gen/shop/common/v1/common_pb.js";
import { OrderSchema, OrderState, type Order } from "@shopmesh/gen/shop/order/v1/order_pb.js";
import { copyAddress, moneyFromAmount } from "@shopmesh/domain";
import { orderAmount, type AddressRecord, type OrderRecord, type SagaState } from "./order.js";

const stateEnum: Record<SagaState, OrderState> = {
  PENDING: OrderState.PENDING,
  RESERVED: OrderState.RESERVED,
  PAID: OrderState.PAID,
  SHIPPED: OrderState.SHIPPED,
  CONFIRMED: OrderState.CONFIRMED,
  CANCELLED: OrderState.CANCELLED,
};

export function toOrderMessage(order: OrderRecord): Order {
  const money = (minor: number) => moneyFromAmount(orderAmount(order, minor));
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
      unitPrice: money(l.unitPriceMinor),
      lineTotal: money(l.lineTotalMinor),
    })),
    subtotal: money(order.subtotalMinor),
    shippingCost: money(order.shippingMinor),
    total: money(order.totalMinor),
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
  return copyAddress(address);
}

export function toAddressRecord(address: Address): AddressRecord {
  return copyAddress(address);
}
