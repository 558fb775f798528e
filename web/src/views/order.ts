// One order: its state, what was ordered, the totals, where it goes and its tracking id.
import { html, nothing } from "lit-html";
import { Code } from "@connectrpc/connect";
import { OrderState, type Order } from "@shopmesh/gen/shop/order/v1/order_pb.js";
import type { PageFactory } from "../context.js";
import type { Problem } from "../errors.js";
import { formatMoney } from "../money.js";
import { routeHref, type Route } from "../router.js";
import { loading, problemBanner, regionName, stateBadge, timeElement } from "./parts.js";

type OrderRoute = Extract<Route, { page: "order" }>;

const pollIntervalMs = 1_000;
const isFinal = (state: OrderState): boolean => state === OrderState.CONFIRMED || state === OrderState.CANCELLED;

/** Resolves after `ms`, or rejects once the page is left. */
function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener(
      "abort",
      () => {
        clearTimeout(timer);
        reject(signal.reason);
      },
      { once: true },
    );
  });
}

const placingNote = "Your order is being placed; this page updates by itself when it is done.";
const stateNotes: Partial<Record<OrderState, string>> = {
  [OrderState.PENDING]: placingNote,
  [OrderState.RESERVED]: placingNote,
  [OrderState.PAID]: placingNote,
  [OrderState.CONFIRMED]: "Your order is confirmed: stock is reserved for you, your card was charged and the parcel is booked.",
  [OrderState.SHIPPED]: "Your order has shipped; it is being confirmed.",
  [OrderState.CANCELLED]: "This order was cancelled. Any charge was refunded.",
};

export const orderPage: PageFactory<OrderRoute> = (ctx, route, signal) => {
  const state = { loading: true, order: undefined as Order | undefined, problem: undefined as Problem | undefined };

  void (async () => {
    try {
      state.order = (await ctx.api.orders.getOrder({ orderId: route.id }, { signal })).order;
      // PlaceOrder may answer before the saga ends (the order as it stands): follow it to its end.
      while (state.order !== undefined && !isFinal(state.order.state)) {
        state.loading = false;
        ctx.update();
        await pause(pollIntervalMs, signal);
        state.order = (await ctx.api.orders.getOrder({ orderId: route.id }, { signal })).order;
      }
    } catch (err) {
      if (signal.aborted) return;
      const problem = ctx.problem(err);
      state.problem = problem.code === Code.NotFound ? { ...problem, message: "You have no order with this id." } : problem;
    }
    state.loading = false;
    ctx.update();
  })();

  const back = html`<p class="back"><a href=${routeHref({ page: "orders" })}>← All orders</a></p>`;
  return {
    title: `Order ${route.id}`,
    view: () => {
      const o = state.order;
      if (state.loading) return html`${back}<h1 tabindex="-1">Order</h1>${loading("Loading the order…")}`;
      if (o === undefined) return html`${back}<h1 tabindex="-1">Order</h1>${problemBanner(state.problem)}`;
      const a = o.shippingAddress;
      return html`${back}
        <div class="order-head">
          <h1 tabindex="-1">Order <span class="order-id">${o.id}</span></h1>
          <p class="order-state">${stateBadge(o.state)} <span class="meta">placed ${timeElement(o.createTime)}</span></p>
        </div>
        ${stateNotes[o.state] === undefined ? nothing : html`<p class="note">${stateNotes[o.state]}</p>`}
        ${o.cancelReason === "" ? nothing : html`<p class="banner warning">Reason: ${o.cancelReason}</p>`}
        <div class="order-body">
          <table class="lines">
            <caption class="visually-hidden">What you ordered</caption>
            <thead>
              <tr><th scope="col">Product</th><th scope="col" class="num">Price</th><th scope="col" class="num">Quantity</th><th scope="col" class="num">Total</th></tr>
            </thead>
            <tbody>
              ${o.lines.map(
                (l) => html`<tr>
                  <th scope="row"><a href=${routeHref({ page: "product", id: l.productId })}>${l.name}</a><span class="meta">${l.sku}</span></th>
                  <td class="num">${formatMoney(l.unitPrice)}</td>
                  <td class="num">${l.quantity}</td>
                  <td class="num">${formatMoney(l.lineTotal)}</td>
                </tr>`,
              )}
            </tbody>
          </table>
          <aside class="summary card">
            <dl>
              <div><dt>Subtotal</dt><dd>${formatMoney(o.subtotal)}</dd></div>
              <div><dt>Shipping</dt><dd>${formatMoney(o.shippingCost)}</dd></div>
              <div class="total"><dt>Total</dt><dd>${formatMoney(o.total)}</dd></div>
            </dl>
            ${
              a === undefined
                ? nothing
                : html`<h2>Shipping to</h2>
                  <address>
                    ${a.recipientName}<br />${a.streetLines.map((line) => html`${line}<br />`)}${a.city}${a.postalCode === "" ? "" : `, ${a.postalCode}`}<br />${regionName(a.regionCode)}
                  </address>`
            }
            ${o.trackingId === "" ? nothing : html`<p>Tracking id <code>${o.trackingId}</code></p>`}
          </aside>
        </div>`;
    },
  };
};
