import { describe, expect, it } from "@jest/globals";
import { readFileSync } from "node:fs";
import { create } from "@bufbuild/protobuf";
import { moneyFromAmount } from "@shopmesh/domain";
import { ProductSchema } from "@shopmesh/gen/shop/catalog/v1/catalog_pb.js";
import { Violations, fieldViolations } from "@shopmesh/kit";
import { demoCatalog, demoCatalogSeed } from "../src/demo-catalog.js";
import { validateProduct } from "../src/product-rules.js";

describe("the demo catalog", () => {
  it("has at least 20 products across at least five categories", () => {
    expect(demoCatalog.length).toBeGreaterThanOrEqual(20);
    const categories = new Set(demoCatalog.flatMap((p) => p.categories));
    for (const c of ["kitchen", "apparel", "books", "electronics", "outdoor"]) expect(categories).toContain(c);
  });

  it("has unique ids and SKUs", () => {
    expect(new Set(demoCatalog.map((p) => p.id)).size).toBe(demoCatalog.length);
    expect(new Set(demoCatalog.map((p) => p.sku)).size).toBe(demoCatalog.length);
  });

  it("meets every constraint UpsertProduct enforces, with whole-cent USD prices", () => {
    for (const { id, fields } of demoCatalogSeed()) {
      const violations = new Violations();
      const product = create(ProductSchema, { ...fields, id, price: moneyFromAmount(fields.price), categories: [...fields.categories] });
      const valid = validateProduct(product, violations);
      expect(violations.empty ? [] : fieldViolations(violations.error())).toEqual([]);
      expect(valid?.fields).toEqual(fields);
      expect(fields.price.currencyCode).toBe("USD");
    }
  });

  it("is listed in the README, where other services' demo data looks it up", () => {
    const readme = readFileSync(new URL("../README.md", import.meta.url), "utf8");
    for (const p of demoCatalog) expect(readme).toContain(`| \`${p.id}\` | \`${p.sku}\` |`);
  });
});
