// The cart: lines with their quantities (change or remove) and the subtotal. The service has no
// "set quantity": more units are added with AddItem; fewer means RemoveItem, then AddItem again.
import { html, nothing, type TemplateResult } from "lit-html";
import type { Cart, CartLine } from "@shopmesh/gen/shop/cart/v1/cart_pb.js";
import type { PageFactory } from "../context.js";
import type { Problem } from "../errors.js";
import { formatMoney } from "../money.js";
import { routeHref, type Route } from "../router.js";
import { loading, problemBanner } from "./parts.js";

type CartRoute = Extract<Route, { page: "cart" }>;

const maxQuantity = 99;

export const cartPage: PageFactory<CartRoute> = (ctx, _route, signal) => {
  const state = {
    loading: true,
    cart: undefined as Cart | undefined,
    problem: undefined as Problem | undefined,
    busy: new Set<string>(),
    status: "",
  };
  /** Lines keep the place they had, although re-adding one moves it to the end in the service. */
  let order: string[] = [];

  const show = (cart: Cart | undefined): void => {
    if (cart !== undefined) {
      const known = new Set(order);
      order = [
        ...order.filter((id) => cart.lines.some((l) => l.productId === id)),
        ...cart.lines.map((l) => l.productId).filter((id) => !known.has(id)),
      ];
    }
    state.cart = cart;
    ctx.cartChanged(cart);
  };

  const reload = async (): Promise<void> => {
    try {
      show((await ctx.api.cart.getCart({}, { signal })).cart);
    } catch (err) {
      if (signal.aborted) return;
      state.problem = ctx.problem(err);
    }
    state.loading = false;
    ctx.update();
  };

  const change = async (line: CartLine, quantity: number, done: string): Promise<void> => {
    state.busy.add(line.productId);
    state.problem = undefined;
    state.status = "";
    ctx.update();
    const productId = line.productId;
    try {
      if (quantity > line.quantity) {
        show((await ctx.api.cart.addItem({ productId, quantity: quantity - line.quantity }, { signal })).cart);
      } else {
        let cart = (await ctx.api.cart.removeItem({ productId }, { signal })).cart;
        if (quantity > 0) cart = (await ctx.api.cart.addItem({ productId, quantity }, { signal })).cart;
        show(cart);
      }
      state.status = done;
    } catch (err) {
      if (signal.aborted) return;
      state.problem = ctx.problem(err);
      // Show the cart as it is now, whichever step failed.
      await reload();
    }
    state.busy.delete(productId);
    ctx.update();
  };

  void reload();

  return {
    title: "Your cart",
    view: () => {
      const cart = state.cart;
      const lines = cart === undefined ? [] : [...cart.lines].sort((a, b) => order.indexOf(a.productId) - order.indexOf(b.productId));
      return html`<h1 tabindex="-1">Your cart</h1>
        <p class="status" role="status">${state.status}</p>
        ${problemBanner(state.problem)}
        ${
          state.loading
            ? loading("Loading your cart…")
            : cart === undefined
              ? nothing
              : lines.length === 0
                ? html`<p class="empty">Your cart is empty. <a href="#/">Browse the products</a>.</p>`
                : html`<table class="lines">
                    <caption class="visually-hidden">Products in your cart</caption>
                    <thead>
                      <tr><th scope="col">Product</th><th scope="col" class="num">Price</th><th scope="col" class="qty">Quantity</th><th scope="col" class="num">Total</th><th scope="col"><span class="visually-hidden">Actions</span></th></tr>
                    </thead>
                    <tbody>
                      ${lines.map((line) => lineRow(line, state.busy.has(line.productId), (quantity, done) => void change(line, quantity, done)))}
                    </tbody>
                  </table>
                  <div class="summary card">
                    <dl>
                      <div><dt>Items</dt><dd>${cart.itemCount}</dd></div>
                      <div class="total"><dt>Subtotal</dt><dd>${formatMoney(cart.subtotal)}</dd></div>
                    </dl>
                    <p class="hint">Shipping is added at checkout.</p>
                    <a class="button" href="#/checkout">Check out</a>
                  </div>`
        }`;
    },
  };
};

function lineRow(line: CartLine, busy: boolean, change: (quantity: number, done: string) => void): TemplateResult {
  return html`<tr aria-busy=${busy ? "true" : "false"}>
    <th scope="row"><a href=${routeHref({ page: "product", id: line.productId })}>${line.name}</a><span class="meta">${line.sku}</span></th>
    <td class="num">${formatMoney(line.unitPrice)}</td>
    <td class="qty">
      <div class="stepper">
        <button type="button" class="secondary" aria-label=${`One fewer ${line.name}`} ?disabled=${busy || line.quantity <= 1}
          @click=${() => change(line.quantity - 1, `${line.name}: quantity ${line.quantity - 1}.`)}>−</button>
        <span class="quantity">${line.quantity}</span>
        <button type="button" class="secondary" aria-label=${`One more ${line.name}`} ?disabled=${busy || line.quantity >= maxQuantity}
          @click=${() => change(line.quantity + 1, `${line.name}: quantity ${line.quantity + 1}.`)}>+</button>
      </div>
    </td>
    <td class="num">${formatMoney(line.lineTotal)}</td>
    <td class="actions"><button type="button" class="link danger" ?disabled=${busy} @click=${() => change(0, `Removed ${line.name} from your cart.`)}>Remove<span class="visually-hidden"> ${line.name}</span></button></td>
  </tr>`;
}
