// The contract of shop.catalog.v1.CatalogService (proto/shop/catalog/v1/catalog.proto) as
// black-box cases over gRPC: UpsertProduct's create, replace and their errors, GetProduct, and the
// paging rules of ListProducts and SearchProducts (proto/shop/common/v1/common.proto: default and
// maximum page size, tokens bound to their filter, the last page's empty token). Every product the
// cases make carries this run's own category and words, so any catalog, seeded or not, will do.
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { Code } from "@connectrpc/connect";
import type { MessageInitShape } from "@bufbuild/protobuf";
import { ResourceInfoSchema } from "@shopmesh/gen/google/rpc/error_details_pb.js";
import { CatalogService, type Product, type ProductSchema } from "@shopmesh/gen/shop/catalog/v1/catalog_pb.js";
import { createGrpcClient, fieldViolations, type GrpcClient } from "@shopmesh/kit";
import { rejection } from "@shopmesh/testkit";

export interface CatalogTarget {
  /** host:port or unix:/path. */
  readonly address: string;
}

type ProductInit = MessageInitShape<typeof ProductSchema>;
/** The fields a case changes from a valid product. */
interface ProductChanges {
  readonly id?: string;
  readonly sku?: string;
  readonly name?: string;
  readonly description?: string;
  readonly price?: { readonly currencyCode: string };
  readonly categories?: string[];
  readonly imageUrl?: string;
}

async function invalid(promise: Promise<unknown>): Promise<{ code: Code; fields: string[] }> {
  const err = await rejection(promise);
  return { code: err.code, fields: fieldViolations(err).map((v) => v.field) };
}

const bad = (fields: string[]): { code: Code; fields: string[] } => ({ code: Code.InvalidArgument, fields });

/** Runs the contract's cases against the target `start` gives (called once, in beforeAll). */
export function catalogContract(start: () => Promise<CatalogTarget>, stop: () => Promise<void> = async () => undefined): void {
  let catalog: GrpcClient<typeof CatalogService>;
  const run = randomUUID().slice(0, 8);
  /** A category and a search word no other run's products have. */
  const category = `conf-${run}`;
  const word = `zq${run}`;
  const sku = (name: string): string => `C${run.toUpperCase()}-${name}`.slice(0, 32);
  const productInit = (name: string, changes: ProductChanges = {}): ProductInit => ({
    sku: sku(name),
    name: `Conformance ${name} ${word}`,
    description: "A product of the conformance suite.",
    price: { currencyCode: "USD", units: 12n, nanos: 340_000_000 },
    categories: [category],
    imageUrl: "https://example.com/p.png",
    ...changes,
  });
  /** Twelve products of this run, made once. */
  let made: Product[] = [];

  beforeAll(async () => {
    const target = await start();
    catalog = createGrpcClient(CatalogService, target.address, { defaultTimeoutMs: 5_000 });
    for (let i = 0; i < 12; i++) {
      const { product } = await catalog.upsertProduct({ product: productInit(`P${String(i).padStart(2, "0")}`) });
      if (product !== undefined) made.push(product);
    }
    made = [...made].sort((a, b) => (a.id < b.id ? -1 : 1));
  }, 60_000);

  afterAll(async () => {
    catalog?.close();
    await stop();
  });

  describe("UpsertProduct", () => {
    it("creates a product with a new id and both times set, as GetProduct then returns it", async () => {
      const { product } = await catalog.upsertProduct({ product: productInit("NEW") });
      expect(product?.id).not.toBe("");
      expect([...(product?.id ?? "")].length).toBeLessThanOrEqual(64);
      expect(product).toMatchObject({ sku: sku("NEW"), categories: [category], price: { currencyCode: "USD", units: 12n } });
      expect(product?.createTime).toBeDefined();
      expect(product?.updateTime).toEqual(product?.createTime);
      expect((await catalog.getProduct({ id: product?.id ?? "" })).product).toEqual(product);
    });

    it("replaces a product as a whole, keeping its create time; replacing again changes nothing more", async () => {
      const { product: created } = await catalog.upsertProduct({ product: productInit("REPLACE") });
      const replacement = productInit("REPLACE2", { id: created?.id ?? "", name: "Replaced", description: "", imageUrl: "" });
      const { product: replaced } = await catalog.upsertProduct({ product: replacement });
      expect(replaced).toMatchObject({ id: created?.id, sku: sku("REPLACE2"), name: "Replaced", description: "", imageUrl: "" });
      expect(replaced?.createTime).toEqual(created?.createTime);
      const again = await catalog.upsertProduct({ product: replacement });
      expect({ ...again.product, updateTime: undefined }).toEqual({ ...replaced, updateTime: undefined });
    });

    it("answers ALREADY_EXISTS naming the product that has the SKU, also for a retried create", async () => {
      const { product } = await catalog.upsertProduct({ product: productInit("TAKEN") });
      const err = await rejection(catalog.upsertProduct({ product: productInit("TAKEN") }));
      expect(err.code).toBe(Code.AlreadyExists);
      expect(err.findDetails(ResourceInfoSchema)[0]?.resourceName).toBe(product?.id);
    });

    it("answers NOT_FOUND for a replace of an id no product has", async () => {
      expect((await rejection(catalog.upsertProduct({ product: productInit("GHOST", { id: `no-such-${run}` }) }))).code).toBe(
        Code.NotFound,
      );
    });

    it("answers bad input with INVALID_ARGUMENT naming each field", async () => {
      expect(await invalid(catalog.upsertProduct({}))).toEqual(bad(["product"]));
      expect(await invalid(catalog.upsertProduct({ product: productInit("BAD", { sku: "lower" }) }))).toEqual(bad(["product.sku"]));
      expect(await invalid(catalog.upsertProduct({ product: productInit("BAD", { name: " " }) }))).toEqual(bad(["product.name"]));
      expect(await invalid(catalog.upsertProduct({ product: productInit("BAD", { name: "n".repeat(201) }) }))).toEqual(
        bad(["product.name"]),
      );
      expect(await invalid(catalog.upsertProduct({ product: productInit("BAD", { description: "d".repeat(2_001) }) }))).toEqual(
        bad(["product.description"]),
      );
      expect(await invalid(catalog.upsertProduct({ product: productInit("BAD", { imageUrl: "ftp://example.com/x" }) }))).toEqual(
        bad(["product.image_url"]),
      );
      const tooMany = Array.from({ length: 11 }, (_, i) => `c${i}`);
      expect((await invalid(catalog.upsertProduct({ product: productInit("BAD", { categories: tooMany }) }))).code).toBe(
        Code.InvalidArgument,
      );
      const several = await invalid(
        catalog.upsertProduct({ product: productInit("BAD", { sku: "x", name: "", price: { currencyCode: "US" } }) }),
      );
      expect(several).toEqual(bad(["product.sku", "product.name", "product.price.currency_code"]));
    });
  });

  describe("GetProduct", () => {
    it("returns a product by id", async () => {
      const first = made[0];
      expect((await catalog.getProduct({ id: first?.id ?? "" })).product).toEqual(first);
    });

    it("answers NOT_FOUND naming the id, and INVALID_ARGUMENT for an empty or long id", async () => {
      const err = await rejection(catalog.getProduct({ id: `missing-${run}` }));
      expect(err.code).toBe(Code.NotFound);
      expect(err.rawMessage).toContain(`missing-${run}`);
      expect(await invalid(catalog.getProduct({ id: "" }))).toEqual(bad(["id"]));
      expect(await invalid(catalog.getProduct({ id: "p".repeat(65) }))).toEqual(bad(["id"]));
      expect((await rejection(catalog.getProduct({ id: "p".repeat(64) }))).code).toBe(Code.NotFound);
    });
  });

  describe("ListProducts", () => {
    it("pages through a category: every product once, ascending by id, the last page's token empty", async () => {
      const seen: Product[] = [];
      let pageToken = "";
      let pages = 0;
      do {
        const page = await catalog.listProducts({ category, pageSize: 5, pageToken });
        expect(page.products.length).toBeLessThanOrEqual(5);
        seen.push(...page.products);
        pageToken = page.nextPageToken;
        pages++;
      } while (pageToken !== "" && pages < 10);
      const ids = seen.map((p) => p.id);
      expect(ids).toEqual([...ids].sort());
      expect(new Set(ids).size).toBe(ids.length);
      for (const product of made) expect(ids).toContain(product.id);
    });

    it("takes 0 as the default page size (20) and caps larger sizes at 100", async () => {
      const all = await catalog.listProducts({ pageSize: 0 });
      expect(all.products.length).toBeLessThanOrEqual(20);
      const huge = await catalog.listProducts({ pageSize: 1_000 });
      expect(huge.products.length).toBeLessThanOrEqual(100);
    });

    it("answers an empty list for a category no product has", async () => {
      const page = await catalog.listProducts({ category: `none-${run}` });
      expect(page).toMatchObject({ products: [], nextPageToken: "" });
    });

    it("refuses a negative page size, a bad category, a tampered token and a token of another category", async () => {
      expect(await invalid(catalog.listProducts({ pageSize: -1 }))).toEqual(bad(["page_size"]));
      expect(await invalid(catalog.listProducts({ category: "Not A Slug" }))).toEqual(bad(["category"]));
      const { nextPageToken } = await catalog.listProducts({ category, pageSize: 2 });
      expect(nextPageToken).not.toBe("");
      const last = nextPageToken.at(-1) === "A" ? "B" : "A";
      expect(await invalid(catalog.listProducts({ category, pageSize: 2, pageToken: `${nextPageToken.slice(0, -1)}${last}` }))).toEqual(
        bad(["page_token"]),
      );
      expect(await invalid(catalog.listProducts({ category: `other-${run}`, pageSize: 2, pageToken: nextPageToken }))).toEqual(
        bad(["page_token"]),
      );
      expect(await invalid(catalog.listProducts({ pageToken: "not a token" }))).toEqual(bad(["page_token"]));
    });
  });

  describe("SearchProducts", () => {
    it("finds by a case-insensitive substring of the name, trimmed, and pages in id order", async () => {
      const seen: string[] = [];
      let pageToken = "";
      let pages = 0;
      do {
        const page = await catalog.searchProducts({ query: `  ${word.toUpperCase()} `, pageSize: 4, pageToken });
        seen.push(...page.products.map((p) => p.id));
        pageToken = page.nextPageToken;
        pages++;
      } while (pageToken !== "" && pages < 10);
      expect(seen).toEqual([...seen].sort());
      for (const product of made) expect(seen).toContain(product.id);
    });

    it("finds by the description too, and answers an empty list when nothing matches", async () => {
      const description = `described-${run}`;
      const { product } = await catalog.upsertProduct({ product: productInit("DESC", { description: `Only here: ${description}` }) });
      expect((await catalog.searchProducts({ query: description })).products.map((p) => p.id)).toEqual([product?.id]);
      expect(await catalog.searchProducts({ query: `nothing-${run}` })).toMatchObject({ products: [], nextPageToken: "" });
    });

    it("refuses an empty or long query, a negative page size and a token of another query", async () => {
      expect(await invalid(catalog.searchProducts({ query: "   " }))).toEqual(bad(["query"]));
      expect(await invalid(catalog.searchProducts({ query: "q".repeat(101) }))).toEqual(bad(["query"]));
      expect((await catalog.searchProducts({ query: ` ${"q".repeat(100)} ` })).products).toEqual([]);
      expect(await invalid(catalog.searchProducts({ query: word, pageSize: -1 }))).toEqual(bad(["page_size"]));
      const { nextPageToken } = await catalog.searchProducts({ query: word, pageSize: 2 });
      expect(nextPageToken).not.toBe("");
      expect(await invalid(catalog.searchProducts({ query: `${word}x`, pageToken: nextPageToken }))).toEqual(bad(["page_token"]));
    });
  });
}
