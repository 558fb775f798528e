// Hash routes: any static server can serve the page, and the address bar is always a link that
// opens the same view.
export type Route =
  | { readonly page: "products"; readonly category: string; readonly query: string }
  | { readonly page: "product"; readonly id: string }
  | { readonly page: "login"; readonly next: string }
  | { readonly page: "register" }
  | { readonly page: "cart" }
  | { readonly page: "checkout" }
  | { readonly page: "orders" }
  | { readonly page: "order"; readonly id: string }
  | { readonly page: "not-found"; readonly path: string };

export const home: Route = { page: "products", category: "", query: "" };

/** The route a location hash names; unknown or malformed hashes give "not-found". */
export function parseRoute(hash: string): Route {
  const raw = hash.replace(/^#/, "");
  const queryAt = raw.indexOf("?");
  const path = queryAt === -1 ? raw : raw.slice(0, queryAt);
  const params = new URLSearchParams(queryAt === -1 ? "" : raw.slice(queryAt + 1));
  let parts: string[];
  try {
    parts = path
      .split("/")
      .filter((p) => p !== "")
      .map(decodeURIComponent);
  } catch {
    return { page: "not-found", path };
  }
  const [first, second, ...rest] = parts;
  if (rest.length > 0) return { page: "not-found", path };
  switch (first) {
    case undefined:
      return { page: "products", category: params.get("category") ?? "", query: params.get("q") ?? "" };
    case "products":
      return second === undefined ? { ...home } : { page: "product", id: second };
    case "orders":
      return second === undefined ? { page: "orders" } : { page: "order", id: second };
    case "login":
      return second === undefined ? { page: "login", next: safeNext(params.get("next")) } : { page: "not-found", path };
    case "register":
    case "cart":
    case "checkout":
      return second === undefined ? { page: first } : { page: "not-found", path };
    default:
      return { page: "not-found", path };
  }
}

/** The hash that opens `route`. */
export function routeHref(route: Route): string {
  switch (route.page) {
    case "products": {
      const params = new URLSearchParams();
      if (route.query !== "") params.set("q", route.query);
      else if (route.category !== "") params.set("category", route.category);
      const search = params.toString();
      return search === "" ? "#/" : `#/?${search}`;
    }
    case "product":
      return `#/products/${encodeURIComponent(route.id)}`;
    case "order":
      return `#/orders/${encodeURIComponent(route.id)}`;
    case "login":
      return route.next === "" ? "#/login" : `#/login?${new URLSearchParams({ next: route.next }).toString()}`;
    case "not-found":
      return `#${route.path}`;
    default:
      return `#/${route.page}`;
  }
}

/** Where to go after logging in: only a route of this page, never another site. */
function safeNext(next: string | null): string {
  return next?.startsWith("#/") && !next.startsWith("#/login") ? next : "";
}
