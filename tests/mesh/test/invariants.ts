// The saga's invariants (see checkSagaInvariants in the test kit), checked over everything the
// tests did: every order of every shopper, read through the gateway as the shopper; every catalog
// product, stocked with `initialStock` when the mesh started. Internal state (payments, shipments,
// stock) is read from the services directly, bypassing the mesh.
import { CatalogService } from "@shopmesh/gen/shop/catalog/v1/catalog_pb.js";
import { InventoryService } from "@shopmesh/gen/shop/inventory/v1/inventory_pb.js";
import { OrderService } from "@shopmesh/gen/shop/order/v1/order_pb.js";
import { PaymentService } from "@shopmesh/gen/shop/payment/v1/payment_pb.js";
import { ShippingService } from "@shopmesh/gen/shop/shipping/v1/shipping_pb.js";
import { allOrdersOf, checkSagaInvariants } from "@shopmesh/testkit";
import { initialStock, shoppers, type TestMesh } from "./support.js";

/** `settleMs`: how long orders may take to become final (0: they must be already). */
export async function checkShopInvariants(mesh: TestMesh, settleMs = 0): Promise<void> {
  const orders = mesh.grpc(OrderService);
  const catalog = mesh.direct(CatalogService, "catalog");
  const stocked = async (): Promise<Map<string, number>> => {
    const skus = new Map<string, number>();
    let pageToken = "";
    do {
      const page = await catalog.listProducts({ pageSize: 100, pageToken });
      for (const product of page.products) skus.set(product.sku, initialStock);
      pageToken = page.nextPageToken;
    } while (pageToken !== "");
    return skus;
  };
  await checkSagaInvariants(
    {
      orders: async () => (await Promise.all(shoppers.map((s) => allOrdersOf(orders, { headers: s.headers })))).flat(),
      stocked,
      payment: mesh.direct(PaymentService, "payment"),
      shipping: mesh.direct(ShippingService, "shipping"),
      inventory: mesh.direct(InventoryService, "inventory"),
    },
    // By default the check runs once the tests' calls have answered: an order not final by then is broken.
    { timeoutMs: settleMs },
  );
}
