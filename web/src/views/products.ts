// The catalog: all products or one category, or search results; paged with the service's page
// tokens (next, and previous by remembering the tokens of the pages seen).
import { html, nothing, type TemplateResult } from "lit-html";
import { Code } from "@connectrpc/connect";
import type { Product } from "@shopmesh/gen/shop/catalog/v1/catalog_pb.js";
import type { PageFactory } from "../context.js";
import { fieldMessage, type Problem } from "../errors.js";
import { formatMoney } from "../money.js";
import { routeHref, type Route } from "../router.js";
import { addToCart } from "./add-to-cart.js";
import { loading, problemBanner, productTile } from "./parts.js";

type ProductsRoute = Extract<Route, { page: "products" }>;

const pageSize = 8;

export const productsPage: PageFactory<ProductsRoute> = (ctx, route, signal) => {
  const same = ctx.browsing?.category === route.category && ctx.browsing.query === route.query;
  const tokens = same && ctx.browsing !== undefined ? ctx.browsing.tokens : [""];
  ctx.browsing = { category: route.category, query: route.query, tokens };

  const state = {
    loading: true,
    products: [] as readonly Product[],
    nextToken: "",
    problem: undefined as Problem | undefined,
    categories: [] as readonly string[],
    adding: new Set<string>(),
    status: "",
  };

  const load = async (): Promise<void> => {
    state.loading = true;
    state.problem = undefined;
    ctx.update();
    const pageToken = tokens[tokens.length - 1] ?? "";
    try {
      const page =
        route.query !== ""
          ? await ctx.api.catalog.searchProducts({ query: route.query, pageSize, pageToken }, { signal })
          : await ctx.api.catalog.listProducts({ category: route.category, pageSize, pageToken }, { signal });
      state.products = page.products;
      state.nextToken = page.nextPageToken;
    } catch (err) {
      if (signal.aborted) return;
      const problem = ctx.problem(err);
      // A remembered page token the service no longer takes: start from the first page.
      if (problem.code === Code.InvalidArgument && problem.fields.has("page_token") && tokens.length > 1) {
        tokens.splice(1);
        return load();
      }
      state.problem = problem;
      state.products = [];
    }
    state.loading = false;
    ctx.update();
  };

  const turn = (direction: "next" | "previous"): void => {
    if (direction === "next") tokens.push(state.nextToken);
    else if (tokens.length > 1) tokens.pop();
    state.status = "";
    void load().then(() => ctx.afterRender(() => document.getElementById("results-heading")?.focus()));
  };

  const add = async (product: Product): Promise<void> => {
    state.adding.add(product.id);
    state.status = "";
    ctx.update();
    const added = await addToCart(ctx, product, 1, signal);
    state.adding.delete(product.id);
    if (added === undefined || signal.aborted) return;
    if (added.ok) state.status = added.message;
    else state.problem = added.problem;
    ctx.update();
  };

  void ctx.categories().then((categories) => {
    state.categories = categories;
    ctx.update();
  });
  void load();

  const heading =
    route.query !== "" ? `Results for “${route.query}”` : route.category !== "" ? categoryName(route.category) : "All products";
  return {
    title: route.query !== "" ? `Search: ${route.query}` : route.category !== "" ? categoryName(route.category) : "Products",
    view: () => html`
      <h1 id="results-heading" tabindex="-1">${heading}${tokens.length > 1 ? html` <span class="page-no">· page ${tokens.length}</span>` : nothing}</h1>
      ${filters(route, state.categories, (next) => ctx.go(next), fieldMessage(state.problem, "query"))}
      <section aria-labelledby="results-heading" aria-busy=${state.loading ? "true" : "false"}>
        <p class="status" role="status">${state.status}</p>
        ${problemBanner(state.problem)}
        ${
          state.loading
            ? loading("Loading products…")
            : state.products.length === 0 && state.problem === undefined
              ? html`<p class="empty">${route.query !== "" ? `No products match “${route.query}”.` : "No products here yet."}</p>`
              : html`<ul class="product-grid">
                ${state.products.map((p) => productCard(p, state.adding.has(p.id), () => void add(p)))}
              </ul>`
        }
        ${pager(tokens.length > 1, state.nextToken !== "", state.loading, turn)}
      </section>
    `,
  };
};

function filters(
  route: ProductsRoute,
  categories: readonly string[],
  go: (route: Route) => void,
  queryError: string | undefined,
): TemplateResult {
  const search = (e: SubmitEvent): void => {
    e.preventDefault();
    const query = String(new FormData(e.currentTarget as HTMLFormElement).get("q") ?? "").trim();
    go({ page: "products", category: "", query });
  };
  const choose = (e: Event): void => {
    go({ page: "products", category: (e.currentTarget as HTMLSelectElement).value, query: "" });
  };
  return html`<div class="filters">
    <form role="search" class="search" @submit=${search}>
      <label for="search-query">Search products</label>
      <div class="inline">
        <input
          id="search-query"
          name="q"
          type="search"
          maxlength="100"
          .value=${route.query}
          placeholder="mug, kettle, tent…"
          aria-invalid=${queryError === undefined ? "false" : "true"}
        />
        <button type="submit">Search</button>
      </div>
    </form>
    <div class="field category">
      <label for="category">Category</label>
      <select id="category" @change=${choose}>
        <option value="" ?selected=${route.category === ""}>All categories</option>
        ${categories.map((c) => html`<option value=${c} ?selected=${route.category === c}>${categoryName(c)}</option>`)}
      </select>
    </div>
  </div>`;
}

function productCard(product: Product, adding: boolean, add: () => void): TemplateResult {
  const href = routeHref({ page: "product", id: product.id });
  return html`<li class="card product-card">
    <a href=${href} class="tile-link" tabindex="-1" aria-hidden="true">${productTile(product)}</a>
    <h2><a href=${href}>${product.name}</a></h2>
    <p class="price">${formatMoney(product.price)}</p>
    <p class="description">${product.description}</p>
    <button type="button" class="add" ?disabled=${adding} @click=${add}>
      ${adding ? "Adding…" : "Add to cart"}<span class="visually-hidden"> (${product.name})</span>
    </button>
  </li>`;
}

function pager(
  hasPrevious: boolean,
  hasNext: boolean,
  busy: boolean,
  turn: (direction: "next" | "previous") => void,
): TemplateResult | typeof nothing {
  if (!hasPrevious && !hasNext) return nothing;
  return html`<nav class="pager" aria-label="Pages">
    <button type="button" class="secondary" ?disabled=${!hasPrevious || busy} @click=${() => turn("previous")}>← Previous</button>
    <button type="button" class="secondary" ?disabled=${!hasNext || busy} @click=${() => turn("next")}>Next →</button>
  </nav>`;
}

/** "t-shirts" → "T-shirts". */
export function categoryName(slug: string): string {
  return slug.charAt(0).toUpperCase() + slug.slice(1);
}
