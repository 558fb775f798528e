// Hash routes: every page has an address, and a link built from a route opens that route again.
import { describe, expect, it } from "@jest/globals";
import { parseRoute, routeHref, type Route } from "../src/router.js";

describe("routes", () => {
  const routes: Route[] = [
    { page: "products", category: "", query: "" },
    { page: "products", category: "t-shirts", query: "" },
    { page: "products", category: "", query: "mug & kettle" },
    { page: "product", id: "p-mug-blue-350" },
    { page: "login", next: "#/orders" },
    { page: "login", next: "" },
    { page: "register" },
    { page: "cart" },
    { page: "checkout" },
    { page: "orders" },
    { page: "order", id: "ord_1/2" },
  ];

  it.each(routes)("opens $page again from its own link", (route) => {
    expect(parseRoute(routeHref(route))).toEqual(route);
  });

  it("opens the product list for an empty address", () => {
    expect(parseRoute("")).toEqual({ page: "products", category: "", query: "" });
    expect(parseRoute("#/")).toEqual({ page: "products", category: "", query: "" });
  });

  it("says not found for unknown or malformed addresses", () => {
    expect(parseRoute("#/nope").page).toBe("not-found");
    expect(parseRoute("#/cart/extra").page).toBe("not-found");
    expect(parseRoute("#/products/%E0%A4%A").page).toBe("not-found");
  });

  it("returns after login only to a page of this shop", () => {
    expect(parseRoute("#/login?next=%23%2Fcheckout")).toEqual({ page: "login", next: "#/checkout" });
    expect(parseRoute("#/login?next=https%3A%2F%2Fevil.example")).toEqual({ page: "login", next: "" });
    expect(parseRoute("#/login?next=%23%2Flogin")).toEqual({ page: "login", next: "" });
  });
});
