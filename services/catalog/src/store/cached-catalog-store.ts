// ListProducts and SearchProducts from memory. FerretDB serves them by scanning the collection
// (about five times the cost of a read by id), while the catalog changes rarely; so each replica
// keeps the pages it answered, keyed by the catalog's version (CatalogStore.version), and reads
// only that version, by id, per listing (shared between listings in flight: coalescedRead). A
// page cached under another version is never served, so a product changed through UpsertProduct,
// on any replica, is never served old once the upsert has returned. Only a change that set no new
// version (written to the database directly, or an upsert that failed between its two writes) can
// be served old, for at most `maxAgeMs` after the page was read.
//
// Memory is bounded by `maxBytes`, by an estimate of each page's size; the least recently used
// pages go first. Pages, not the whole catalog: a large catalog costs the same memory, and the
// pages the storefront asks for most (the first ones, common queries) stay.
import { LRUCache } from "lru-cache";
import type { Product } from "@shopmesh/gen/shop/catalog/v1/catalog_pb.js";
import { coalescedRead } from "./coalesced-read.js";
import type { CatalogStore, PageRequest, ProductPage } from "./catalog-store.js";

export interface ListingCacheOptions {
  /** How long a page may be served after it was read, when no new version says it changed; 0: no cache. */
  readonly maxAgeMs: number;
  /** How much memory the cached pages may take, by `pageBytes`'s estimate. */
  readonly maxBytes: number;
}

/** What the cache holds now. */
export interface ListingCacheStats {
  readonly pages: number;
  readonly bytes: number;
}

export interface CachedCatalogStore extends CatalogStore {
  stats(): ListingCacheStats;
}

interface Listing {
  readonly rpc: "list" | "search";
  readonly filter: string;
  readonly page: PageRequest;
}

/** `store` with its listings and searches cached; without a cache when `maxAgeMs` is 0. */
export function createCachedCatalogStore(store: CatalogStore, options: ListingCacheOptions): CachedCatalogStore {
  if (options.maxAgeMs === 0) return { ...store, stats: () => ({ pages: 0, bytes: 0 }) };
  const pages = new LRUCache<string, ProductPage, Listing>({
    maxSize: options.maxBytes,
    sizeCalculation: (page, key) => pageBytes(page) + 2 * key.length,
    ttl: options.maxAgeMs,
    // Calls for a page that is being read wait for that read (one store query, not one a call).
    fetchMethod: (_key, _stale, { context }) => readPage(store, context),
    // A page evicted or cleared while being read is still answered to the calls waiting for it.
    ignoreFetchAbort: true,
  });
  const currentVersion = coalescedRead(() => store.version());
  let lastVersion: string | undefined;

  const cachedPage = async (listing: Listing): Promise<ProductPage> => {
    const version = await currentVersion();
    // Pages of older versions can never be served again: free their memory at once.
    if (version !== lastVersion) {
      lastVersion = version;
      pages.clear();
    }
    const key = JSON.stringify([version, listing.rpc, listing.filter, listing.page.afterId, listing.page.limit]);
    // Undefined only for a page aborted before it was read, which ignoreFetchAbort rules out.
    return (await pages.fetch(key, { context: listing })) ?? readPage(store, listing);
  };

  return {
    ...store,
    list: (category, page) => cachedPage({ rpc: "list", filter: category, page }),
    search: (text, page) => cachedPage({ rpc: "search", filter: text, page }),
    stats: () => ({ pages: pages.size, bytes: pages.calculatedSize }),
  };
}

function readPage(store: CatalogStore, { rpc, filter, page }: Listing): Promise<ProductPage> {
  return rpc === "list" ? store.list(filter, page) : store.search(filter, page);
}

/**
 * A page's memory, estimated from above: two bytes a character of its strings (V8 takes one for
 * Latin-1 text), plus the message objects around them (the product, its price and times, the
 * categories array, the strings' headers): about 450 bytes a product measured on Node 24, 600 here.
 */
export function pageBytes(page: ProductPage): number {
  return page.products.reduce((bytes, product) => bytes + productBytes(product), pageOverheadBytes);
}

const pageOverheadBytes = 64;
const productOverheadBytes = 600;

function productBytes(p: Product): number {
  const text = p.id.length + p.sku.length + p.name.length + p.description.length + p.imageUrl.length + (p.price?.currencyCode.length ?? 0);
  return productOverheadBytes + 2 * (text + p.categories.reduce((n, c) => n + c.length + 8, 0));
}
