import { describe, expect, it } from "@jest/globals";
import { timestampDate } from "@bufbuild/protobuf/wkt";
import type { ProductFields } from "../src/store/catalog-store.js";
import { documentFromFields, productFromDocument, type ProductDocument } from "../src/store/product-document.js";

const fields: ProductFields = {
  sku: "MUG-BLUE-350",
  name: "Mesh Mug, Blue",
  description: "Holds 350 ml.",
  price: { currencyCode: "USD", minor: 1250n },
  categories: ["kitchen", "mugs"],
  imageUrl: "https://shopmesh.example/img/MUG-BLUE-350.svg",
};
const created = new Date("2026-01-02T03:04:05.678Z");
const updated = new Date("2026-02-03T04:05:06.789Z");

describe("product documents", () => {
  it("store plain values only: no protobuf $typeName, no bigints", () => {
    const doc = documentFromFields("p-mug-blue-350", fields, created, updated);
    expect(doc).toEqual({
      _id: "p-mug-blue-350",
      sku: "MUG-BLUE-350",
      name: "Mesh Mug, Blue",
      description: "Holds 350 ml.",
      price: { currencyCode: "USD", units: 12, nanos: 500_000_000 },
      categories: ["kitchen", "mugs"],
      imageUrl: "https://shopmesh.example/img/MUG-BLUE-350.svg",
      createTime: created,
      updateTime: updated,
    });
    expect(JSON.stringify(doc)).not.toContain("$typeName");
    expect(doc.categories).not.toBe(fields.categories);
  });

  it("map back to the Product message with Money and Timestamps", () => {
    const product = productFromDocument(documentFromFields("p-mug-blue-350", fields, created, updated));
    expect(product).toMatchObject({
      $typeName: "shop.catalog.v1.Product",
      id: "p-mug-blue-350",
      sku: "MUG-BLUE-350",
      name: "Mesh Mug, Blue",
      description: "Holds 350 ml.",
      price: { currencyCode: "USD", units: 12n, nanos: 500_000_000 },
      categories: ["kitchen", "mugs"],
      imageUrl: "https://shopmesh.example/img/MUG-BLUE-350.svg",
    });
    expect(product.createTime && timestampDate(product.createTime)).toEqual(created);
    expect(product.updateTime && timestampDate(product.updateTime)).toEqual(updated);
  });

  it("read optional fields a document lacks as empty", () => {
    const sparse = {
      _id: "p-1",
      sku: "ABC",
      name: "Plain",
      price: { currencyCode: "USD", units: 1, nanos: 0 },
      createTime: created,
      updateTime: created,
    } as unknown as ProductDocument;
    expect(productFromDocument(sparse)).toMatchObject({ description: "", categories: [], imageUrl: "" });
  });
});
