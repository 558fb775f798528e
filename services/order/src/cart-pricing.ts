// The inputs of pricing, fetched: the caller's cart, each product as the catalog has it now (the
// cart's copies of prices are ignored) and the shipping quote. Downstream failures become the
// order service's errors here: an empty cart or a product no longer sold is FAILED_PRECONDITION,
// an address shipping refuses is INVALID_ARGUMENT on shipping_address, an outage UNAVAILABLE.
import { Code, ConnectError } from "@connectrpc/connect";
import type { Address } from "@shopmesh/gen/shop/common/v1/common_pb.js";
import { fieldViolations, invalidArgument } from "@shopmesh/kit";
import type { CallContext } from "./call-context.js";
import { internalHeaders, upstreamFailure, userHeaders, type Downstream } from "./downstream.js";
import { preconditionFailed } from "./errors.js";
import { addShipping, priceLines, type CartItem, type PricedOrder } from "./pricing.js";

/** Catalog lookups run this many at a time (a cart holds up to 50 products). */
const catalogConcurrency = 8;

export type CartPricing = (userId: string, address: Address, call: CallContext) => Promise<PricedOrder>;

export function createCartPricing(downstream: Downstream): CartPricing {
  const cartLines = async (userId: string, call: CallContext) => {
    try {
      const { cart } = await downstream.cart.getCart({}, { headers: userHeaders(userId, call.rpcRequestId), signal: call.signal });
      return cart?.lines ?? [];
    } catch (err) {
      throw upstreamFailure("cart", err);
    }
  };

  const product = async (productId: string, call: CallContext) => {
    try {
      const { product } = await downstream.catalog.getProduct(
        { id: productId },
        { headers: internalHeaders(call.rpcRequestId), signal: call.signal },
      );
      if (product === undefined) throw new Error(`GetProduct ${productId} returned no product`);
      return product;
    } catch (err) {
      if (err instanceof ConnectError && err.code === Code.NotFound) {
        throw preconditionFailed(`product ${productId} in the cart is no longer sold`, [
          { type: "CART", subject: `product/${productId}`, description: "the product is not in the catalog" },
        ]);
      }
      throw upstreamFailure("catalog", err);
    }
  };

  const shippingCost = async (address: Address, items: readonly { sku: string; quantity: number }[], call: CallContext) => {
    try {
      const { cost } = await downstream.shipping.getQuote(
        { address, items: items.map((i) => ({ sku: i.sku, quantity: i.quantity })) },
        { headers: internalHeaders(call.rpcRequestId), signal: call.signal },
      );
      return cost;
    } catch (err) {
      // Shipping judged the address by rules of its own that ours missed: the client's to fix.
      if (err instanceof ConnectError && err.code === Code.InvalidArgument) {
        const onAddress = fieldViolations(err).filter((fv) => fv.field === "address" || fv.field.startsWith("address."));
        if (onAddress.length > 0) {
          throw invalidArgument(onAddress.map((fv) => ({ field: `shipping_${fv.field}`, description: fv.description })));
        }
      }
      throw upstreamFailure("shipping", err);
    }
  };

  return async (userId, address, call) => {
    const lines = await cartLines(userId, call);
    if (lines.length === 0) {
      throw preconditionFailed("the cart is empty", [{ type: "CART", subject: "cart", description: "the cart has no items" }]);
    }
    const items: CartItem[] = await mapLimited(lines, catalogConcurrency, async (line) => ({
      product: await product(line.productId, call),
      quantity: line.quantity,
    }));
    const priced = priceLines(items);
    return addShipping(priced, await shippingCost(address, priced.lines, call));
  };
}

/** `fn` over `items`, at most `limit` at a time, results in order. */
async function mapLimited<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
