// One product: its details, and adding a chosen quantity to the cart.
import { html, nothing } from "lit-html";
import { Code } from "@connectrpc/connect";
import type { Product } from "@shopmesh/gen/shop/catalog/v1/catalog_pb.js";
import type { PageFactory } from "../context.js";
import { fieldMessage, fieldSentence, type Problem } from "../errors.js";
import { formatMoney } from "../money.js";
import { routeHref, type Route } from "../router.js";
import { addToCart } from "./add-to-cart.js";
import { loading, problemBanner, productTile } from "./parts.js";
import { categoryName } from "./products.js";

type ProductRoute = Extract<Route, { page: "product" }>;

export const productPage: PageFactory<ProductRoute> = (ctx, route, signal) => {
  const state = {
    loading: true,
    product: undefined as Product | undefined,
    problem: undefined as Problem | undefined,
    adding: false,
    quantity: "1",
    status: "",
  };

  void (async () => {
    try {
      state.product = (await ctx.api.catalog.getProduct({ id: route.id }, { signal })).product;
    } catch (err) {
      if (signal.aborted) return;
      const problem = ctx.problem(err);
      state.problem =
        problem.code === Code.NotFound
          ? { ...problem, message: "There is no such product. It may have been removed from the shop." }
          : problem;
    }
    state.loading = false;
    ctx.update();
  })();

  const add = async (e: SubmitEvent): Promise<void> => {
    e.preventDefault();
    const product = state.product;
    if (product === undefined) return;
    state.quantity = String(new FormData(e.currentTarget as HTMLFormElement).get("quantity") ?? "1");
    const quantity = Number(state.quantity);
    state.adding = true;
    state.status = "";
    state.problem = undefined;
    ctx.update();
    // A quantity that is not a whole number goes to the service as 0, which names the field.
    const added = await addToCart(ctx, product, Number.isInteger(quantity) ? quantity : 0, signal);
    state.adding = false;
    if (added === undefined || signal.aborted) return;
    if (added.ok) state.status = added.message;
    else state.problem = added.problem;
    ctx.update();
  };

  const back = html`<p class="back"><a href=${routeHref({ page: "products", category: ctx.browsing?.category ?? "", query: ctx.browsing?.query ?? "" })}>← Back to products</a></p>`;
  return {
    get title() {
      return state.product?.name ?? "Product";
    },
    view: () => {
      const p = state.product;
      const quantityError = fieldMessage(state.problem, "quantity");
      if (state.loading) return html`${back}<h1 tabindex="-1">Product</h1>${loading("Loading the product…")}`;
      if (p === undefined) return html`${back}<h1 tabindex="-1">Product not found</h1>${problemBanner(state.problem)}`;
      return html`${back}
        <article class="product-detail">
          ${productTile(p, "large")}
          <div class="product-info">
            <h1 tabindex="-1">${p.name}</h1>
            <p class="price large">${formatMoney(p.price)}</p>
            <p>${p.description}</p>
            <p class="meta">SKU ${p.sku}</p>
            ${
              p.categories.length === 0
                ? nothing
                : html`<ul class="chips" aria-label="Categories">
                  ${p.categories.map((c) => html`<li><a class="chip" href=${routeHref({ page: "products", category: c, query: "" })}>${categoryName(c)}</a></li>`)}
                </ul>`
            }
            <form class="add-form field ${quantityError === undefined ? "" : "invalid"}" novalidate @submit=${(e: SubmitEvent) => void add(e)}>
              <label for="quantity">Quantity</label>
              <div class="inline">
                <input
                  id="quantity"
                  name="quantity"
                  type="number"
                  min="1"
                  max="99"
                  inputmode="numeric"
                  .value=${state.quantity}
                  aria-invalid=${quantityError === undefined ? "false" : "true"}
                  aria-describedby=${quantityError === undefined ? "quantity-hint" : "quantity-hint quantity-error"}
                />
                <button type="submit" ?disabled=${state.adding}>${state.adding ? "Adding…" : "Add to cart"}</button>
              </div>
              <p class="hint" id="quantity-hint">1 to 99</p>
              ${quantityError === undefined ? nothing : html`<p class="field-error" id="quantity-error">${fieldSentence("Quantity", quantityError)}</p>`}
            </form>
            <p class="status" role="status">${state.status === "" ? nothing : html`${state.status} <a href="#/cart">View cart</a>`}</p>
            ${quantityError === undefined ? problemBanner(state.problem) : nothing}
          </div>
        </article>`;
    },
  };
};
