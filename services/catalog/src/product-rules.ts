// The constraints the contract documents on Product and on the request fields, as plain
// functions. Lengths count Unicode code points, as "characters" in the contract means.
import { characterCount } from "@shopmesh/domain";
import type { Product } from "@shopmesh/gen/shop/catalog/v1/catalog_pb.js";
import type { Violations } from "@shopmesh/kit";
import { validatePrice } from "./money.js";
import type { ProductFields } from "./store/catalog-store.js";

export const maxIdLength = 64;
export const maxCategories = 10;
export const maxQueryLength = 100;

const skuPattern = /^[A-Z0-9-]{3,32}$/;
/** A category of a product: 1..50 of a-z, 0-9 and '-', not starting or ending with '-'. */
const categoryPattern = /^[a-z0-9](?:[a-z0-9-]{0,48}[a-z0-9])?$/;
/** A category to filter by, as ListProductsRequest.category documents it. */
const categoryFilterPattern = /^[a-z0-9-]{1,50}$/;

export function isCategory(slug: string): boolean {
  return categoryPattern.test(slug);
}

export function isCategoryFilter(slug: string): boolean {
  return categoryFilterPattern.test(slug);
}

/** Checks a product id given by a client: set, at most 64 characters. */
export function checkId(id: string, field: string, violations: Violations): void {
  if (violations.check(id !== "", field, "is required")) {
    violations.check(characterCount(id) <= maxIdLength, field, `must be at most ${maxIdLength} characters`);
  }
}

/**
 * Checks the product of an UpsertProduct request against the contract, adding a violation per
 * broken constraint under "product.<field>". Returns the id ("" to create) and the fields to store
 * when all hold, undefined after adding violations. Output-only fields (create_time, update_time)
 * are ignored.
 */
export function validateProduct(product: Product | undefined, violations: Violations): { id: string; fields: ProductFields } | undefined {
  if (product === undefined) {
    violations.add("product", "is required");
    return undefined;
  }
  let valid = true;
  const check = (ok: boolean, field: string, description: string): boolean => {
    if (!violations.check(ok, field, description)) valid = false;
    return ok;
  };
  if (product.id !== "") check(characterCount(product.id) <= maxIdLength, "product.id", `must be at most ${maxIdLength} characters`);
  check(
    skuPattern.test(product.sku),
    "product.sku",
    product.sku === "" ? "is required" : "must be 3..32 characters of A-Z, 0-9 and '-' (uppercase), e.g. MUG-BLUE-350",
  );
  if (check(product.name.trim() !== "", "product.name", "must not be empty or blank")) {
    check(characterCount(product.name) <= 200, "product.name", "must be at most 200 characters");
  }
  check(characterCount(product.description) <= 2_000, "product.description", "must be at most 2000 characters");
  const price = validatePrice(product.price, "product.price", violations);
  if (price === undefined) valid = false;
  const categories = [...new Set(product.categories)];
  check(categories.length <= maxCategories, "product.categories", `must have at most ${maxCategories} distinct categories`);
  product.categories.forEach((slug, i) => {
    check(isCategory(slug), `product.categories[${i}]`, "must be 1..50 characters of a-z, 0-9 and '-', not starting or ending with '-'");
  });
  check(isImageUrl(product.imageUrl), "product.image_url", "must be empty or an absolute http or https URL of at most 2048 characters");
  if (!valid || price === undefined) return undefined;
  return {
    id: product.id,
    fields: {
      sku: product.sku,
      name: product.name,
      description: product.description,
      price,
      categories,
      imageUrl: product.imageUrl,
    },
  };
}

function isImageUrl(url: string): boolean {
  if (url === "") return true;
  if (characterCount(url) > 2_048) return false;
  try {
    const parsed = new URL(url);
    return (parsed.protocol === "http:" || parsed.protocol === "https:") && parsed.hostname !== "";
  } catch {
    return false;
  }
}
