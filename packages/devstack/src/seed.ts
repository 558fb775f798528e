// Stocks every catalog product that has no stock record yet, so a fresh shop can take orders.
// Runs against the services directly: stock is an admin operation the gateway does not route.
import { Code, ConnectError } from "@connectrpc/connect";
import { CatalogService } from "@shopmesh/gen/shop/catalog/v1/catalog_pb.js";
import { InventoryService } from "@shopmesh/gen/shop/inventory/v1/inventory_pb.js";
import { createGrpcClient } from "@shopmesh/kit";

export async function seedStock(catalogAddress: string, inventoryAddress: string, quantity: number): Promise<number> {
  const catalog = createGrpcClient(CatalogService, catalogAddress, { defaultTimeoutMs: 5_000 });
  const inventory = createGrpcClient(InventoryService, inventoryAddress, { defaultTimeoutMs: 5_000 });
  let stocked = 0;
  try {
    let pageToken = "";
    do {
      const page = await catalog.listProducts({ pageSize: 100, pageToken });
      for (const product of page.products) {
        const known = await inventory.getStock({ sku: product.sku }).then(
          () => true,
          (err: unknown) => {
            if (err instanceof ConnectError && err.code === Code.NotFound) return false;
            throw err;
          },
        );
        if (!known) {
          await inventory.setStock({ sku: product.sku, available: quantity });
          stocked++;
        }
      }
      pageToken = page.nextPageToken;
    } while (pageToken !== "");
  } finally {
    catalog.close();
    inventory.close();
  }
  return stocked;
}
