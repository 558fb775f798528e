// Order history: the shopper's orders, newest first, each with its state; paged.
import { html, nothing } from "lit-html";
import type { Order } from "@shopmesh/gen/shop/order/v1/order_pb.js";
import type { PageFactory } from "../context.js";
import type { Problem } from "../errors.js";
import { formatMoney } from "../money.js";
import { routeHref, type Route } from "../router.js";
import { loading, problemBanner, stateBadge, timeElement } from "./parts.js";

type OrdersRoute = Extract<Route, { page: "orders" }>;

const pageSize = 10;

export const ordersPage: PageFactory<OrdersRoute> = (ctx, _route, signal) => {
  const tokens = [""];
  const state = { loading: true, orders: [] as readonly Order[], nextToken: "", problem: undefined as Problem | undefined };

  const load = async (): Promise<void> => {
    state.loading = true;
    state.problem = undefined;
    ctx.update();
    try {
      const page = await ctx.api.orders.listOrders({ pageSize, pageToken: tokens[tokens.length - 1] ?? "" }, { signal });
      state.orders = page.orders;
      state.nextToken = page.nextPageToken;
    } catch (err) {
      if (signal.aborted) return;
      state.problem = ctx.problem(err);
    }
    state.loading = false;
    ctx.update();
  };

  const turn = (direction: "next" | "previous"): void => {
    if (direction === "next") tokens.push(state.nextToken);
    else tokens.pop();
    void load();
  };

  void load();

  return {
    title: "Your orders",
    view: () => html`<h1 tabindex="-1">Your orders${tokens.length > 1 ? html` <span class="page-no">· page ${tokens.length}</span>` : nothing}</h1>
      ${problemBanner(state.problem)}
      ${
        state.loading
          ? loading("Loading your orders…")
          : state.orders.length === 0 && state.problem === undefined
            ? html`<p class="empty">No orders yet. <a href="#/">Find something you like</a>.</p>`
            : html`<table class="orders">
              <caption class="visually-hidden">Your orders, newest first</caption>
              <thead>
                <tr><th scope="col">Order</th><th scope="col">Placed</th><th scope="col" class="num">Items</th><th scope="col" class="num">Total</th><th scope="col">State</th></tr>
              </thead>
              <tbody>
                ${state.orders.map(
                  (o) => html`<tr>
                    <th scope="row"><a href=${routeHref({ page: "order", id: o.id })}>${o.id}</a></th>
                    <td>${timeElement(o.createTime)}</td>
                    <td class="num">${o.lines.reduce((n, l) => n + l.quantity, 0)}</td>
                    <td class="num">${formatMoney(o.total)}</td>
                    <td>${stateBadge(o.state)}${o.cancelReason === "" ? nothing : html`<span class="reason">${o.cancelReason}</span>`}</td>
                  </tr>`,
                )}
              </tbody>
            </table>`
      }
      ${
        tokens.length > 1 || state.nextToken !== ""
          ? html`<nav class="pager" aria-label="Pages">
            <button type="button" class="secondary" ?disabled=${tokens.length === 1 || state.loading} @click=${() => turn("previous")}>← Newer</button>
            <button type="button" class="secondary" ?disabled=${state.nextToken === "" || state.loading} @click=${() => turn("next")}>Older →</button>
          </nav>`
          : nothing
      }`,
  };
};
