// CartService handlers: who is calling, is the request well formed, then the catalog and the store.
import { create } from "@bufbuild/protobuf";
import { Code, ConnectError, type ServiceImpl } from "@connectrpc/connect";
import { PreconditionFailureSchema } from "@shopmesh/gen/google/rpc/error_details_pb.js";
import type { CartService } from "@shopmesh/gen/shop/cart/v1/cart_pb.js";
import { requireCaller, Violations } from "@shopmesh/kit";
import { productIdProblem, quantityProblem, refusalViolations, type AddRefusal, type ItemToAdd } from "./cart.js";
import { cartMessage } from "./cart-message.js";
import type { ProductLookup } from "./catalog.js";
import type { CartStore } from "./store/cart-store.js";

export interface CartServiceDeps {
  readonly store: CartStore;
  readonly catalog: ProductLookup;
}

export function createCartService({ store, catalog }: CartServiceDeps): ServiceImpl<typeof CartService> {
  return {
    async getCart(_req, ctx) {
      const { userId } = requireCaller(ctx);
      return { cart: cartMessage(await store.get(userId)) };
    },

    async addItem(req, ctx) {
      const { userId } = requireCaller(ctx);
      const v = new Violations();
      checkProductId(v, req.productId);
      const quantity = quantityProblem(req.quantity);
      if (quantity !== undefined) v.add("quantity", quantity);
      v.throwIfAny();

      const product = await catalog.getProduct(req.productId, ctx);
      const item: ItemToAdd = {
        productId: req.productId,
        quantity: req.quantity,
        sku: product.sku,
        name: product.name,
        unitPrice: product.price,
      };
      const outcome = await store.addItem(userId, item);
      if (!outcome.added) throw addItemRefused(item, outcome.refusal);
      return { cart: cartMessage(outcome.cart) };
    },

    async removeItem(req, ctx) {
      const { userId } = requireCaller(ctx);
      const v = new Violations();
      checkProductId(v, req.productId);
      v.throwIfAny();
      return { cart: cartMessage(await store.removeItem(userId, req.productId)) };
    },

    async emptyCart(_req, ctx) {
      const { userId } = requireCaller(ctx);
      return { cart: cartMessage(await store.empty(userId)) };
    },
  };
}

function checkProductId(v: Violations, productId: string): void {
  const problem = productIdProblem(productId);
  if (problem !== undefined) v.add("product_id", problem);
}

/** FAILED_PRECONDITION with one PreconditionFailure violation per limit the item would break. */
function addItemRefused(item: ItemToAdd, refusal: AddRefusal): ConnectError {
  const violations = refusalViolations(item, refusal);
  return new ConnectError(violations.map((v) => v.description).join("; "), Code.FailedPrecondition, undefined, [
    { desc: PreconditionFailureSchema, value: create(PreconditionFailureSchema, { violations }) },
  ]);
}
