// Adding a product to the cart, from the list or the product page. Signed-out shoppers are sent to
// log in first and come back to where they were.
import type { Product } from "@shopmesh/gen/shop/catalog/v1/catalog_pb.js";
import type { AppContext } from "../context.js";
import type { Problem } from "../errors.js";

export type Added = { readonly ok: true; readonly message: string } | { readonly ok: false; readonly problem: Problem };

/** Undefined when the shopper was sent to log in instead. */
export async function addToCart(ctx: AppContext, product: Product, quantity: number, signal: AbortSignal): Promise<Added | undefined> {
  if (ctx.session === undefined) {
    ctx.flash("Log in to add products to your cart.");
    ctx.go({ page: "login", next: ctx.here });
    return undefined;
  }
  try {
    const { cart } = await ctx.api.cart.addItem({ productId: product.id, quantity }, { signal });
    ctx.cartChanged(cart);
    const inCart = cart?.lines.find((l) => l.productId === product.id)?.quantity ?? quantity;
    return { ok: true, message: `Added ${product.name} to your cart (${inCart} in cart).` };
  } catch (err) {
    return { ok: false, problem: ctx.problem(err) };
  }
}
