// What AddItem needs from the catalog: a product's SKU, name and price now. Catalog failures
// become the cart's errors here: a missing product is NOT_FOUND, a catalog that cannot answer
// is UNAVAILABLE (the client retries), never INTERNAL.
import { create } from "@bufbuild/protobuf";
import { Code, ConnectError, type HandlerContext } from "@connectrpc/connect";
import { ResourceInfoSchema } from "@shopmesh/gen/google/rpc/error_details_pb.js";
import type { CatalogService } from "@shopmesh/gen/shop/catalog/v1/catalog_pb.js";
import { forwardHeaders, type GrpcClient } from "@shopmesh/kit";
import { amountFromMoney, describeMoneyProblems, type Amount } from "@shopmesh/domain";

export interface ProductSnapshot {
  readonly id: string;
  readonly sku: string;
  readonly name: string;
  readonly price: Amount;
}

export interface ProductLookup {
  /** The product as the catalog has it now, on behalf of the caller of `ctx`. */
  getProduct(productId: string, ctx: HandlerContext): Promise<ProductSnapshot>;
}

/** Catalog answers that mean "try again later" rather than "this request is wrong". */
const transientCodes: ReadonlySet<Code> = new Set([
  Code.Unavailable,
  Code.DeadlineExceeded,
  Code.ResourceExhausted,
  Code.Aborted,
  Code.Canceled,
  Code.Internal,
  Code.Unknown,
]);

export function createProductLookup(catalog: Pick<GrpcClient<typeof CatalogService>, "getProduct">): ProductLookup {
  return {
    async getProduct(productId, ctx) {
      const { product } = await catalog
        .getProduct({ id: productId }, { headers: forwardHeaders(ctx), signal: ctx.signal })
        .catch((err: unknown) => {
          throw catalogError(err, productId, ctx);
        });
      if (product === undefined) throw new Error(`catalog answered GetProduct ${productId} without a product`);
      if (product.price === undefined) throw new Error(`catalog product ${productId} has no price`);
      const price = amountFromMoney(product.price);
      if (Array.isArray(price)) throw new Error(`catalog product ${productId} has an unusable price: ${describeMoneyProblems(price)}`);
      return { id: product.id, sku: product.sku, name: product.name, price };
    },
  };
}

function catalogError(err: unknown, productId: string, ctx: HandlerContext): unknown {
  // Our own caller gave up (deadline or cancellation): report that, not the catalog.
  if (ctx.signal.aborted) return ConnectError.from(ctx.signal.reason);
  const cause = ConnectError.from(err);
  if (cause.code === Code.NotFound) {
    return new ConnectError(`product ${productId} not found`, Code.NotFound, undefined, [
      {
        desc: ResourceInfoSchema,
        value: create(ResourceInfoSchema, {
          resourceType: "shop.catalog.v1.Product",
          resourceName: productId,
          description: "no product has this id",
        }),
      },
    ]);
  }
  if (transientCodes.has(cause.code)) {
    return new ConnectError("the catalog is unavailable; try again shortly", Code.Unavailable, undefined, undefined, cause);
  }
  // Anything else (INVALID_ARGUMENT for an id we accepted, UNIMPLEMENTED from a misrouted
  // address…) is a fault of ours, not the client's: INTERNAL, with the cause in the log.
  return new Error(`catalog GetProduct ${productId} failed: ${cause.message}`, { cause });
}
