// The catalog's RPCs against a real MongoDB-protocol server (FerretDB unless MONGO_URL is set),
// through the typed gRPC client and the real grpcurl binary.
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { timestampDate } from "@bufbuild/protobuf/wkt";
import { Code, type ConnectError } from "@connectrpc/connect";
import { ResourceInfoSchema } from "@shopmesh/gen/google/rpc/error_details_pb.js";
import { CatalogService, type Product } from "@shopmesh/gen/shop/catalog/v1/catalog_pb.js";
import { createGrpcClient, fieldViolations, type GrpcClient, type RunningService } from "@shopmesh/kit";
import { grpcurl, startMongo, type TestStore } from "@shopmesh/testkit";
import { startCatalog } from "../src/app.js";
import { demoCatalog } from "../src/demo-catalog.js";
import { quietLogger, rejection, testConfig } from "./support.js";

const fields = (err: ConnectError) => fieldViolations(err).map((v) => v.field);

/** A valid product to create, with a SKU of its own. */
const newProduct = (sku: string, extra: Partial<Record<string, unknown>> = {}) => ({
  sku,
  name: `Test product ${sku}`,
  description: "Made for a test.",
  price: { currencyCode: "USD", units: 9n, nanos: 990_000_000 },
  categories: ["test-only"],
  imageUrl: "https://shopmesh.example/img/test.svg",
  ...extra,
});

describe("catalog RPCs", () => {
  let mongo: TestStore;
  let app: RunningService;
  let catalog: GrpcClient<typeof CatalogService>;
  let now = new Date("2026-03-01T10:00:00.000Z");

  /** Every product, walking ListProducts with `pageSize`; also returns each page's length. */
  async function listAll(request: { pageSize: number; category?: string }): Promise<{ products: Product[]; pages: number[] }> {
    const products: Product[] = [];
    const pages: number[] = [];
    let pageToken = "";
    do {
      const res = await catalog.listProducts({ ...request, pageToken });
      products.push(...res.products);
      pages.push(res.products.length);
      pageToken = res.nextPageToken;
    } while (pageToken !== "" && pages.length < 100);
    return { products, pages };
  }

  beforeAll(async () => {
    mongo = await startMongo();
    app = await startCatalog(testConfig(mongo.url), quietLogger(), { clock: () => now.getTime() });
    catalog = createGrpcClient(CatalogService, app.server.address, { defaultTimeoutMs: 10_000 });
  });

  afterAll(async () => {
    catalog.close();
    await app?.stop();
    await mongo?.dispose();
  });

  describe("GetProduct", () => {
    it("returns a seeded product with every field", async () => {
      const { product } = await catalog.getProduct({ id: "p-mug-blue-350" });
      expect(product).toMatchObject({
        id: "p-mug-blue-350",
        sku: "MUG-BLUE-350",
        name: "Mesh Mug, Blue",
        price: { currencyCode: "USD", units: 12n, nanos: 500_000_000 },
        categories: ["kitchen", "mugs"],
        imageUrl: "https://shopmesh.example/img/MUG-BLUE-350.svg",
      });
      expect(product?.description).not.toBe("");
      expect(product?.createTime && timestampDate(product.createTime)).toEqual(now);
    });

    it("answers NOT_FOUND naming an unknown id", async () => {
      const err = await rejection(catalog.getProduct({ id: "p-no-such-thing" }));
      expect(err.code).toBe(Code.NotFound);
      expect(err.rawMessage).toContain("p-no-such-thing");
    });

    it.each([
      ["empty", ""],
      ["longer than 64 characters", "p".repeat(65)],
    ])("rejects an id that is %s", async (_, id) => {
      const err = await rejection(catalog.getProduct({ id }));
      expect(err.code).toBe(Code.InvalidArgument);
      expect(fields(err)).toEqual(["id"]);
    });

    it("accepts an id of exactly 64 characters (and finds nothing)", async () => {
      expect((await rejection(catalog.getProduct({ id: "p".repeat(64) }))).code).toBe(Code.NotFound);
    });
  });

  describe("ListProducts", () => {
    it("pages through every product exactly once, ascending by id", async () => {
      const everything = await catalog.listProducts({ pageSize: 100 });
      expect(everything.nextPageToken).toBe("");
      const { products, pages } = await listAll({ pageSize: 7 });
      const ids = products.map((p) => p.id);
      expect(ids).toEqual(everything.products.map((p) => p.id));
      expect(new Set(ids).size).toBe(ids.length);
      expect(ids).toEqual([...ids].sort());
      expect(ids.length).toBeGreaterThanOrEqual(demoCatalog.length);
      expect(pages.slice(0, -1).every((n) => n === 7)).toBe(true);
      expect(pages.at(-1)).toBeGreaterThan(0);
      expect(pages.at(-1)).toBeLessThanOrEqual(7);
    });

    it("returns 20 products when page_size is 0", async () => {
      const res = await catalog.listProducts({});
      expect(res.products).toHaveLength(20);
      expect(res.nextPageToken).not.toBe("");
    });

    it("accepts a page_size above 100 (the cap itself is checked with more products elsewhere)", async () => {
      const res = await catalog.listProducts({ pageSize: 5_000 });
      expect(res.products.length).toBeGreaterThanOrEqual(demoCatalog.length);
      expect(res.nextPageToken).toBe("");
    });

    it("lists only the products of a category, paged", async () => {
      const expected = demoCatalog
        .filter((p) => p.categories.includes("kitchen"))
        .map((p) => p.id)
        .sort();
      const { products, pages } = await listAll({ category: "kitchen", pageSize: 2 });
      expect(products.map((p) => p.id)).toEqual(expected);
      expect(products.every((p) => p.categories.includes("kitchen"))).toBe(true);
      expect(pages.length).toBe(Math.ceil(expected.length / 2));
    });

    it("answers an empty list for a category no product has", async () => {
      expect(await catalog.listProducts({ category: "no-such-category" })).toMatchObject({ products: [], nextPageToken: "" });
    });

    it.each([
      ["a negative page_size", { pageSize: -1 }, ["page_size"]],
      ["an uppercase category", { category: "Kitchen" }, ["category"]],
      ["a category with spaces", { category: "home goods" }, ["category"]],
      ["a category over 50 characters", { category: "a".repeat(51) }, ["category"]],
      ["a garbled page_token", { pageToken: "not-a-token" }, ["page_token"]],
      ["several bad fields", { pageSize: -5, category: "UPPER", pageToken: "x.y" }, ["category", "page_size", "page_token"]],
    ])("rejects %s", async (_, request, expected) => {
      const err = await rejection(catalog.listProducts(request));
      expect(err.code).toBe(Code.InvalidArgument);
      expect(fields(err)).toEqual(expected);
    });

    it("rejects a page_token that was tampered with", async () => {
      const { nextPageToken } = await catalog.listProducts({ pageSize: 2 });
      const [payload = "", signature = ""] = nextPageToken.split(".");
      const cursor = JSON.parse(Buffer.from(payload, "base64url").toString()) as Record<string, unknown>;
      const tampered = `${Buffer.from(JSON.stringify({ ...cursor, after: "p-z" })).toString("base64url")}.${signature}`;
      const err = await rejection(catalog.listProducts({ pageSize: 2, pageToken: tampered }));
      expect(err.code).toBe(Code.InvalidArgument);
      expect(fields(err)).toEqual(["page_token"]);
      expect(err.rawMessage).toContain("page_token");
    });

    it("rejects a page_token issued for another category", async () => {
      const { nextPageToken } = await catalog.listProducts({ category: "kitchen", pageSize: 1 });
      expect(nextPageToken).not.toBe("");
      const err = await rejection(catalog.listProducts({ category: "books", pageSize: 1, pageToken: nextPageToken }));
      expect(err.code).toBe(Code.InvalidArgument);
      expect(fields(err)).toEqual(["page_token"]);
      expect(err.rawMessage).toContain("different category");
      const unfiltered = await rejection(catalog.listProducts({ pageSize: 1, pageToken: nextPageToken }));
      expect(fields(unfiltered)).toEqual(["page_token"]);
    });

    it("rejects a SearchProducts page_token", async () => {
      const { nextPageToken } = await catalog.searchProducts({ query: "e", pageSize: 1 });
      const err = await rejection(catalog.listProducts({ pageToken: nextPageToken }));
      expect(fields(err)).toEqual(["page_token"]);
    });
  });

  describe("SearchProducts", () => {
    it("matches names case-insensitively", async () => {
      const { products } = await catalog.searchProducts({ query: "mESH MUG" });
      expect(products.map((p) => p.id)).toEqual(["p-mug-blue-350", "p-mug-white-350"]);
    });

    it("matches descriptions too", async () => {
      const { products } = await catalog.searchProducts({ query: "DISHWASHER" });
      expect(products.map((p) => p.id)).toEqual(["p-mug-blue-350"]);
    });

    it("trims the query", async () => {
      const { products } = await catalog.searchProducts({ query: "  gooseneck \n" });
      expect(products.map((p) => p.id)).toEqual(["p-kettle-goose-1l"]);
    });

    it("takes regular expression characters literally", async () => {
      const paren = await catalog.searchProducts({ query: "(", pageSize: 100 });
      const expected = demoCatalog
        .filter((p) => `${p.name}${p.description}`.includes("("))
        .map((p) => p.id)
        .sort();
      expect(expected.length).toBeGreaterThan(0);
      expect(paren.products.map((p) => p.id)).toEqual(expected);
      const closing = await catalog.searchProducts({ query: ")", pageSize: 100 });
      expect(closing.products.map((p) => p.id)).toEqual(expected);
      for (const query of [".*", "[", "\\", "a+b?", "^$", "{2}", "|", "\0"]) {
        await expect(catalog.searchProducts({ query })).resolves.toMatchObject({ products: [] });
      }
      const chefs = await catalog.searchProducts({ query: "chef's knife, 20" });
      expect(chefs.products.map((p) => p.id)).toEqual(["p-knife-chef-20"]);
    });

    it("pages results in id order with tokens bound to the query", async () => {
      const all = await catalog.searchProducts({ query: "o", pageSize: 100 });
      expect(all.products.length).toBeGreaterThan(3);
      const seen: string[] = [];
      let pageToken = "";
      do {
        const res = await catalog.searchProducts({ query: "o", pageSize: 3, pageToken });
        seen.push(...res.products.map((p) => p.id));
        pageToken = res.nextPageToken;
      } while (pageToken !== "");
      expect(seen).toEqual(all.products.map((p) => p.id));
      expect(seen).toEqual([...seen].sort());
    });

    it("answers an empty list when nothing matches", async () => {
      expect(await catalog.searchProducts({ query: "zzz-nothing-like-this" })).toMatchObject({ products: [], nextPageToken: "" });
    });

    it.each([
      ["an empty query", { query: "" }, ["query"]],
      ["a blank query", { query: "   \t" }, ["query"]],
      ["a query over 100 characters", { query: "a".repeat(101) }, ["query"]],
      ["a negative page_size", { query: "mug", pageSize: -1 }, ["page_size"]],
      ["a garbled page_token", { query: "mug", pageToken: "abc.def" }, ["page_token"]],
    ])("rejects %s", async (_, request, expected) => {
      const err = await rejection(catalog.searchProducts(request));
      expect(err.code).toBe(Code.InvalidArgument);
      expect(fields(err)).toEqual(expected);
    });

    it("accepts a query of 100 characters after trimming", async () => {
      await expect(catalog.searchProducts({ query: ` ${"a".repeat(100)} ` })).resolves.toMatchObject({ products: [] });
    });

    it("rejects a page_token issued for another query", async () => {
      const { nextPageToken } = await catalog.searchProducts({ query: "e", pageSize: 1 });
      const err = await rejection(catalog.searchProducts({ query: "o", pageSize: 1, pageToken: nextPageToken }));
      expect(fields(err)).toEqual(["page_token"]);
      expect(err.rawMessage).toContain("different query");
    });
  });

  describe("UpsertProduct", () => {
    it("creates a product with a new id and both times set", async () => {
      now = new Date("2026-03-02T08:00:00.000Z");
      const { product } = await catalog.upsertProduct({
        product: { ...newProduct("TEST-CREATE-1"), createTime: { seconds: 1n }, updateTime: { seconds: 2n } },
      });
      expect(product?.id).toMatch(/^p-/);
      expect(product?.createTime && timestampDate(product.createTime)).toEqual(now);
      expect(product?.updateTime && timestampDate(product.updateTime)).toEqual(now);
      const stored = await catalog.getProduct({ id: product?.id ?? "" });
      expect(stored.product).toEqual(product);
      const listed = await catalog.listProducts({ category: "test-only" });
      expect(listed.products.map((p) => p.id)).toContain(product?.id);
    });

    it("replaces every field of an existing product, keeping its create time", async () => {
      now = new Date("2026-03-02T09:00:00.000Z");
      const { product: created } = await catalog.upsertProduct({ product: newProduct("TEST-REPLACE-1") });
      now = new Date("2026-03-02T09:30:00.000Z");
      const { product: replaced } = await catalog.upsertProduct({
        product: {
          id: created?.id ?? "",
          sku: "TEST-REPLACE-2",
          name: "Replaced",
          price: { currencyCode: "EUR", units: 3n },
          categories: ["outdoor"],
        },
      });
      expect(replaced).toMatchObject({
        id: created?.id,
        sku: "TEST-REPLACE-2",
        name: "Replaced",
        description: "",
        price: { currencyCode: "EUR", units: 3n, nanos: 0 },
        categories: ["outdoor"],
        imageUrl: "",
      });
      expect(replaced?.createTime && timestampDate(replaced.createTime)).toEqual(new Date("2026-03-02T09:00:00.000Z"));
      expect(replaced?.updateTime && timestampDate(replaced.updateTime)).toEqual(now);
      expect((await catalog.getProduct({ id: created?.id ?? "" })).product).toEqual(replaced);
      // The old SKU is free again.
      await expect(catalog.upsertProduct({ product: newProduct("TEST-REPLACE-1") })).resolves.toBeDefined();
    });

    it("is idempotent when replacing", async () => {
      const { product } = await catalog.upsertProduct({ product: newProduct("TEST-IDEMPOTENT") });
      const again = { ...newProduct("TEST-IDEMPOTENT", { name: "Renamed" }), id: product?.id ?? "" };
      const first = await catalog.upsertProduct({ product: again });
      const second = await catalog.upsertProduct({ product: again });
      expect(second.product).toEqual(first.product);
    });

    it("keeps categories distinct", async () => {
      const { product } = await catalog.upsertProduct({
        product: newProduct("TEST-DISTINCT", { categories: ["a", "b", "a", ...Array.from({ length: 9 }, () => "b")] }),
      });
      expect(product?.categories).toEqual(["a", "b"]);
    });

    it("answers NOT_FOUND for an id no product has", async () => {
      const err = await rejection(catalog.upsertProduct({ product: { ...newProduct("TEST-GHOST"), id: "p-ghost" } }));
      expect(err.code).toBe(Code.NotFound);
      expect(err.rawMessage).toContain("p-ghost");
      expect((await rejection(catalog.getProduct({ id: "p-ghost" }))).code).toBe(Code.NotFound);
    });

    it("answers ALREADY_EXISTS naming the product that has the SKU", async () => {
      const err = await rejection(catalog.upsertProduct({ product: newProduct("MUG-BLUE-350") }));
      expect(err.code).toBe(Code.AlreadyExists);
      expect(err.rawMessage).toContain("MUG-BLUE-350");
      expect(err.findDetails(ResourceInfoSchema)).toEqual([
        expect.objectContaining({ resourceType: "shop.catalog.v1.Product", resourceName: "p-mug-blue-350" }),
      ]);
    });

    it("answers ALREADY_EXISTS when a replace takes another product's SKU", async () => {
      const { product } = await catalog.upsertProduct({ product: newProduct("TEST-TAKER") });
      const err = await rejection(catalog.upsertProduct({ product: { ...newProduct("MUG-WHITE-350"), id: product?.id ?? "" } }));
      expect(err.code).toBe(Code.AlreadyExists);
      expect(err.findDetails(ResourceInfoSchema)[0]?.resourceName).toBe("p-mug-white-350");
      expect((await catalog.getProduct({ id: product?.id ?? "" })).product?.sku).toBe("TEST-TAKER");
    });

    it("answers a retried create with ALREADY_EXISTS naming the product the first attempt made", async () => {
      const { product } = await catalog.upsertProduct({ product: newProduct("TEST-RETRY") });
      const err = await rejection(catalog.upsertProduct({ product: newProduct("TEST-RETRY") }));
      expect(err.code).toBe(Code.AlreadyExists);
      expect(err.findDetails(ResourceInfoSchema)[0]?.resourceName).toBe(product?.id);
    });

    it("lets exactly one of several concurrent creates of one SKU win", async () => {
      const results = await Promise.allSettled(
        Array.from({ length: 5 }, (_, i) => catalog.upsertProduct({ product: newProduct("TEST-RACE", { name: `Racer ${i}` }) })),
      );
      const won = results.filter((r) => r.status === "fulfilled");
      const lost = results.flatMap((r) => (r.status === "rejected" ? [r.reason as ConnectError] : []));
      expect(won).toHaveLength(1);
      expect(lost.map((e) => e.code)).toEqual(Array(4).fill(Code.AlreadyExists));
      const { products } = await catalog.searchProducts({ query: "Racer" });
      expect(products).toHaveLength(1);
    });

    const bad: [string, Record<string, unknown>, string[]][] = [
      ["an empty SKU", { sku: "" }, ["product.sku"]],
      ["a lowercase SKU", { sku: "mug-1" }, ["product.sku"]],
      ["a SKU of 2 characters", { sku: "AB" }, ["product.sku"]],
      ["a SKU of 33 characters", { sku: "A".repeat(33) }, ["product.sku"]],
      ["a SKU with a space", { sku: "MUG 1" }, ["product.sku"]],
      ["an empty name", { name: "" }, ["product.name"]],
      ["a blank name", { name: "  \t " }, ["product.name"]],
      ["a name of 201 characters", { name: "n".repeat(201) }, ["product.name"]],
      ["a description of 2001 characters", { description: "d".repeat(2_001) }, ["product.description"]],
      ["no price", { price: undefined }, ["product.price"]],
      ["a price without currency", { price: { units: 1n } }, ["product.price.currency_code"]],
      ["an unknown currency", { price: { currencyCode: "ABC", units: 1n } }, ["product.price.currency_code"]],
      ["a lowercase currency", { price: { currencyCode: "usd", units: 1n } }, ["product.price.currency_code"]],
      ["a negative price", { price: { currencyCode: "USD", units: -1n } }, ["product.price.units"]],
      ["negative nanos", { price: { currencyCode: "USD", nanos: -500_000_000 } }, ["product.price.nanos"]],
      ["a fraction of a cent", { price: { currencyCode: "USD", units: 1n, nanos: 1_000_000 } }, ["product.price.nanos"]],
      ["11 distinct categories", { categories: Array.from({ length: 11 }, (_, i) => `c${i}`) }, ["product.categories"]],
      ["an uppercase category", { categories: ["ok", "Bad"] }, ["product.categories[1]"]],
      ["a category ending in '-'", { categories: ["bad-"] }, ["product.categories[0]"]],
      ["a category starting with '-'", { categories: ["-bad"] }, ["product.categories[0]"]],
      ["an empty category", { categories: [""] }, ["product.categories[0]"]],
      ["a category of 51 characters", { categories: ["c".repeat(51)] }, ["product.categories[0]"]],
      ["a relative image URL", { imageUrl: "/img/mug.svg" }, ["product.image_url"]],
      ["an ftp image URL", { imageUrl: "ftp://example.com/mug.svg" }, ["product.image_url"]],
      ["an image URL over 2048 characters", { imageUrl: `https://example.com/${"a".repeat(2_040)}` }, ["product.image_url"]],
      ["an id over 64 characters", { id: "p".repeat(65) }, ["product.id"]],
      [
        "several bad fields",
        { sku: "x", name: "", price: { currencyCode: "US" } },
        ["product.sku", "product.name", "product.price.currency_code"],
      ],
    ];
    it.each(bad)("rejects %s", async (_, change, expected) => {
      const err = await rejection(catalog.upsertProduct({ product: { ...newProduct("TEST-BAD"), ...change } }));
      expect(err.code).toBe(Code.InvalidArgument);
      expect(fields(err)).toEqual(expected);
    });

    it("rejects a request without a product", async () => {
      const err = await rejection(catalog.upsertProduct({}));
      expect(err.code).toBe(Code.InvalidArgument);
      expect(fields(err)).toEqual(["product"]);
    });

    it("accepts the limits themselves", async () => {
      const { product } = await catalog.upsertProduct({
        product: newProduct("B".repeat(32), {
          name: "n".repeat(200),
          description: "d".repeat(2_000),
          categories: Array.from({ length: 10 }, (_, i) => `${"c".repeat(48)}${i}x`),
          imageUrl: `http://example.com/${"a".repeat(2_048 - 19)}`,
        }),
      });
      expect(product?.categories).toHaveLength(10);
    });
  });

  describe("with grpcurl", () => {
    it("lists and describes the service", async () => {
      const list = await grpcurl([app.server.address, "list"]);
      expect(list.exitCode).toBe(0);
      expect(list.stdout.split("\n")).toContain("shop.catalog.v1.CatalogService");
      const describe = await grpcurl([app.server.address, "describe", "shop.catalog.v1.CatalogService"]);
      expect(describe.exitCode).toBe(0);
      for (const rpc of ["GetProduct", "ListProducts", "SearchProducts", "UpsertProduct"]) expect(describe.stdout).toContain(`rpc ${rpc}`);
    });

    it("gets a product as JSON", async () => {
      const res = await grpcurl([app.server.address, "shop.catalog.v1.CatalogService/GetProduct"], { data: { id: "p-tent-2p" } });
      expect(res.exitCode).toBe(0);
      expect(JSON.parse(res.stdout)).toMatchObject({
        product: { id: "p-tent-2p", sku: "TENT-2P", price: { currencyCode: "USD", units: "189" }, categories: ["outdoor"] },
      });
    });

    it("shows the code and the field violation of a bad request", async () => {
      const res = await grpcurl([app.server.address, "shop.catalog.v1.CatalogService/ListProducts"], { data: { page_size: -1 } });
      expect(res.exitCode).not.toBe(0);
      expect(res.stderr).toContain("Code: InvalidArgument");
      expect(res.stderr).toContain('"field": "page_size"');
    });
  });
});
