// shop.catalog.v1.CatalogService handlers: validate, call the store, answer. The contract's
// comments (proto/shop/catalog/v1/catalog.proto) are the spec for every rule here.
import { randomUUID } from "node:crypto";
import { Code, ConnectError, type ServiceImpl } from "@connectrpc/connect";
import { ResourceInfoSchema } from "@shopmesh/gen/google/rpc/error_details_pb.js";
import { type CatalogService, ProductSchema } from "@shopmesh/gen/shop/catalog/v1/catalog_pb.js";
import { characterCount, pageLimit, pageSizeProblem } from "@shopmesh/domain";
import { Violations, type Clock } from "@shopmesh/kit";
import type { PageScope, PageTokens } from "./page-token.js";
import { checkId, isCategoryFilter, maxQueryLength, validateProduct } from "./product-rules.js";
import type { CatalogStore, PageRequest, ProductPage, WriteOutcome } from "./store/catalog-store.js";

export interface CatalogServiceDeps {
  readonly store: CatalogStore;
  readonly pageTokens: PageTokens;
  readonly clock?: Clock;
  /** Ids of created products; opaque to clients. */
  readonly newId?: () => string;
}

export function createCatalogService(deps: CatalogServiceDeps): ServiceImpl<typeof CatalogService> {
  const { store, pageTokens } = deps;
  const clock = deps.clock ?? Date.now;
  const newId = deps.newId ?? (() => `p-${randomUUID()}`);

  /** The page a request asks for, or violations for page_size and page_token. */
  const pageRequest = (pageSize: number, pageToken: string, scope: PageScope, violations: Violations): PageRequest => {
    const sizeProblem = pageSizeProblem(pageSize);
    if (sizeProblem !== undefined) violations.add("page_size", sizeProblem);
    let afterId = "";
    if (pageToken !== "") {
      const reading = pageTokens.read(pageToken, scope);
      if (reading.ok) afterId = reading.afterId;
      else if (reading.reason === "malformed") violations.add("page_token", "is malformed or was tampered with");
      else {
        const filter = scope.rpc === "list" ? "category" : "query";
        violations.add("page_token", `was issued for a different ${filter}; start again without a page_token`);
      }
    }
    return { afterId, limit: pageLimit(pageSize) };
  };

  const pageResponse = (page: ProductPage, scope: PageScope) => {
    const last = page.products.at(-1);
    return {
      products: page.products,
      nextPageToken: page.more && last !== undefined ? pageTokens.issue(scope, last.id) : "",
    };
  };

  const answer = (outcome: WriteOutcome, id: string, sku: string) => {
    switch (outcome.kind) {
      case "stored":
        return { product: outcome.product };
      case "not-found":
        throw new ConnectError(`product ${id} not found`, Code.NotFound);
      case "sku-taken": {
        const holder = outcome.holderId;
        throw new ConnectError(
          holder === undefined ? `sku ${sku} is already used by another product` : `sku ${sku} is already used by product ${holder}`,
          Code.AlreadyExists,
          undefined,
          holder === undefined
            ? []
            : [
                {
                  desc: ResourceInfoSchema,
                  value: { resourceType: ProductSchema.typeName, resourceName: holder, description: `has sku ${sku}` },
                },
              ],
        );
      }
    }
  };

  return {
    async getProduct(req) {
      const violations = new Violations();
      checkId(req.id, "id", violations);
      violations.throwIfAny();
      const product = await store.get(req.id);
      if (product === undefined) throw new ConnectError(`product ${req.id} not found`, Code.NotFound);
      return { product };
    },

    async listProducts(req) {
      const violations = new Violations();
      if (req.category !== "") {
        violations.check(isCategoryFilter(req.category), "category", "must be 1..50 characters of a-z, 0-9 and '-'");
      }
      const scope: PageScope = { rpc: "list", filter: req.category };
      const page = pageRequest(req.pageSize, req.pageToken, scope, violations);
      violations.throwIfAny();
      return pageResponse(await store.list(req.category, page), scope);
    },

    async searchProducts(req) {
      const violations = new Violations();
      const query = req.query.trim();
      if (violations.check(query !== "", "query", "must not be empty or blank")) {
        violations.check(characterCount(query) <= maxQueryLength, "query", `must be at most ${maxQueryLength} characters`);
      }
      const scope: PageScope = { rpc: "search", filter: query };
      const page = pageRequest(req.pageSize, req.pageToken, scope, violations);
      violations.throwIfAny();
      return pageResponse(await store.search(query, page), scope);
    },

    async upsertProduct(req) {
      const violations = new Violations();
      const valid = validateProduct(req.product, violations);
      if (valid === undefined) throw violations.error();
      const { id, fields } = valid;
      if (id === "") {
        const created = newId();
        return answer(await store.create(created, fields, new Date(clock())), created, fields.sku);
      }
      return answer(await store.replace(id, fields, new Date(clock())), id, fields.sku);
    },
  };
}
