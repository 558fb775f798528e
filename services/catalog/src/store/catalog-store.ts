// What the catalog service needs from its store. Expected outcomes (a missing product, a taken
// SKU) are results; an unreachable store is a thrown UNAVAILABLE ConnectError.
import type { Product } from "@shopmesh/gen/shop/catalog/v1/catalog_pb.js";
import type { Probe } from "@shopmesh/kit";
import type { Amount } from "@shopmesh/domain";

/** A product's writable fields, already validated. */
export interface ProductFields {
  readonly sku: string;
  readonly name: string;
  readonly description: string;
  readonly price: Amount;
  /** Distinct, in the order given. */
  readonly categories: readonly string[];
  readonly imageUrl: string;
}

/** A page of products ascending by id, starting after `afterId` ("" for the first page). */
export interface PageRequest {
  readonly afterId: string;
  readonly limit: number;
}

export interface ProductPage {
  readonly products: Product[];
  /** Whether products follow the last one of this page. */
  readonly more: boolean;
}

export type WriteOutcome =
  | { readonly kind: "stored"; readonly product: Product }
  | { readonly kind: "not-found" }
  /** Another product has the SKU; `holderId` names it when it could be found. */
  | { readonly kind: "sku-taken"; readonly holderId: string | undefined };

export interface SeedResult {
  readonly inserted: number;
  /** SKUs not inserted because their id or SKU is already used by another product. */
  readonly conflicts: readonly string[];
}

export interface CatalogStore {
  /** Fails when the store does not answer; for grpc.health.v1. */
  readonly probe: Probe;
  /** Inserts each product whose SKU is not in the catalog yet; never changes existing ones. */
  seed(products: readonly { readonly id: string; readonly fields: ProductFields }[], now: Date): Promise<SeedResult>;
  /**
   * A token that each write changing products replaces with a new one after its write and before
   * it returns: what was read after finding a token is current while the token stays the same
   * (unless products were changed behind the store's back, in the database directly).
   */
  version(): Promise<string>;
  get(id: string): Promise<Product | undefined>;
  /** Products with `category` ("" for all). */
  list(category: string, page: PageRequest): Promise<ProductPage>;
  /** Products whose name or description contains `text`, ignoring case. */
  search(text: string, page: PageRequest): Promise<ProductPage>;
  create(id: string, fields: ProductFields, now: Date): Promise<WriteOutcome>;
  /** Replaces every field of product `id` but its create time. */
  replace(id: string, fields: ProductFields, now: Date): Promise<WriteOutcome>;
}
