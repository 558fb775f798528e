// A stored shipment as the contract's shop.shipping.v1.Shipment.
import type { MessageInitShape } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { copyAddress } from "@shopmesh/domain";
import { ShipmentStatus, type ShipmentSchema } from "@shopmesh/gen/shop/shipping/v1/shipping_pb.js";
import { usdFromCents } from "./money.js";
import type { ShipmentRecord, ShipmentState } from "./store/shipment-store.js";

const statusOf: Readonly<Record<ShipmentState, ShipmentStatus>> = {
  CREATED: ShipmentStatus.CREATED,
  CANCELLED: ShipmentStatus.CANCELLED,
};

export function shipmentMessage(s: ShipmentRecord): MessageInitShape<typeof ShipmentSchema> {
  return {
    id: s.id,
    orderId: s.orderId,
    trackingId: s.trackingId,
    address: copyAddress(s.address),
    items: s.items.map((item) => ({ sku: item.sku, quantity: item.quantity })),
    cost: usdFromCents(s.costCents),
    status: statusOf[s.state],
    createTime: timestampFromDate(s.createTime),
  };
}
