// The saga's invariants, checked over everything the tests did: stock is conserved, every
// CONFIRMED order has one captured payment and one shipment, and no CANCELLED order keeps money
// or stock. Internal state is read from the services directly; orders through the gateway.
import { expect } from "@jest/globals";
import { Code, ConnectError } from "@connectrpc/connect";
import { CatalogService } from "@shopmesh/gen/shop/catalog/v1/catalog_pb.js";
import { InventoryService } from "@shopmesh/gen/shop/inventory/v1/inventory_pb.js";
import { OrderService, OrderState, type Order } from "@shopmesh/gen/shop/order/v1/order_pb.js";
import { PaymentService, PaymentStatus } from "@shopmesh/gen/shop/payment/v1/payment_pb.js";
import { ShippingService } from "@shopmesh/gen/shop/shipping/v1/shipping_pb.js";
import { initialStock, shoppers, type TestMesh } from "./support.js";

async function notFoundAsUndefined<T>(promise: Promise<T>): Promise<T | undefined> {
  try {
    return await promise;
  } catch (err) {
    if (err instanceof ConnectError && err.code === Code.NotFound) return undefined;
    throw err;
  }
}

export async function checkShopInvariants(mesh: TestMesh): Promise<void> {
  const orders = mesh.grpc(OrderService);
  const payments = mesh.direct(PaymentService, "payment");
  const shipping = mesh.direct(ShippingService, "shipping");
  const inventory = mesh.direct(InventoryService, "inventory");
  const catalog = mesh.direct(CatalogService, "catalog");

  const all: Order[] = [];
  for (const shopper of shoppers) {
    let pageToken = "";
    do {
      const page = await orders.listOrders({ pageSize: 100, pageToken }, { headers: shopper.headers });
      all.push(...page.orders);
      pageToken = page.nextPageToken;
    } while (pageToken !== "");
  }

  const committed = new Map<string, number>();
  for (const order of all) {
    expect([OrderState.CONFIRMED, OrderState.CANCELLED]).toContain(order.state);
    const payment = await notFoundAsUndefined(payments.getPayment({ lookup: { case: "idempotencyKey", value: order.id } }));
    const shipment = await notFoundAsUndefined(shipping.getShipment({ lookup: { case: "orderId", value: order.id } }));
    if (order.state === OrderState.CONFIRMED) {
      expect(payment?.payment?.status).toBe(PaymentStatus.CAPTURED);
      expect(shipment?.shipment?.orderId).toBe(order.id);
      for (const line of order.lines) committed.set(line.sku, (committed.get(line.sku) ?? 0) + line.quantity);
    } else {
      expect([undefined, PaymentStatus.DECLINED, PaymentStatus.REFUNDED]).toContain(payment?.payment?.status);
    }
  }

  let pageToken = "";
  do {
    const page = await catalog.listProducts({ pageSize: 100, pageToken });
    for (const product of page.products) {
      const { stock } = await inventory.getStock({ sku: product.sku });
      expect({ sku: product.sku, reserved: stock?.reserved, total: (stock?.available ?? 0) + (committed.get(product.sku) ?? 0) }).toEqual({
        sku: product.sku,
        reserved: 0,
        total: initialStock,
      });
    }
    pageToken = page.nextPageToken;
  } while (pageToken !== "");
}
