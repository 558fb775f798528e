// The catalog in MongoDB (or FerretDB): one `products` collection keyed by product id, with a
// unique index on sku that keeps SKUs unique even under concurrent writes.
//
// Safe with several catalog processes on one database, FerretDB included (which applies an update
// as "find, then write the whole document back", so racing conditional updates can both match):
// no write here is conditional on what a document holds. Creating is an insert under unique keys;
// seeding inserts only where the SKU is missing (a racing replica's insert makes the other's a
// conflict, and an upsert that finds the product writes nothing); replacing sets every field but
// the create time, so of two racing replaces one whole version stays, as if they came one after
// the other (last writer wins, which is what UpsertProduct promises).
//
// Each write that changes products then sets the catalog's version (collection `catalog_version`)
// to a new random token, which readers compare to tell whether what they cached is still current.
// A random token rather than a counter: FerretDB's `$inc` is "find, then write back" too, so two
// racing increments can both write the same number, and the second write would go unnoticed.
import { randomUUID } from "node:crypto";
import { MongoBulkWriteError, type AnyBulkWriteOperation, type Collection, type Filter } from "mongodb";
import type { Logger } from "@shopmesh/kit";
import type { MongoStore } from "@shopmesh/stores/mongo";
import { isDuplicateKey, isDuplicateKeyCode, storeGuard } from "@shopmesh/stores/mongo";
import type { CatalogStore, PageRequest, ProductPage, SeedResult, WriteOutcome } from "./catalog-store.js";
import { documentFieldsOf, documentFromFields, productFromDocument, type ProductDocument } from "./product-document.js";

export const productsCollection = "products";
export const versionCollection = "catalog_version";

interface VersionDocument {
  _id: "products";
  token: string;
}

/** Runs a store operation; an unreachable store becomes UNAVAILABLE (the one place that says so). */
const guard = storeGuard("catalog store");

// Created one at a time: FerretDB 1.24 drops the connection when a createIndexes command lists
// several indexes of which some already exist (every restart).
const indexes = [
  { key: { sku: 1 }, name: "sku_unique", unique: true },
  { key: { categories: 1, _id: 1 }, name: "categories_id" },
] as const;

/** The store on an open connection; creates its indexes first. */
export async function createMongoCatalogStore(mongo: MongoStore, logger: Logger): Promise<CatalogStore> {
  const products: Collection<ProductDocument> = mongo.db.collection<ProductDocument>(productsCollection);
  const versions: Collection<VersionDocument> = mongo.db.collection<VersionDocument>(versionCollection);
  await guard(async () => {
    for (const { key, ...options } of indexes) await products.createIndex({ ...key }, options);
  });

  const page = (filter: Filter<ProductDocument>, { afterId, limit }: PageRequest): Promise<ProductPage> =>
    guard(async () => {
      const query: Filter<ProductDocument> = afterId === "" ? filter : { ...filter, _id: { $gt: afterId } };
      const docs = await products
        .find(query)
        .sort({ _id: 1 })
        .limit(limit + 1)
        .toArray();
      return { products: docs.slice(0, limit).map(productFromDocument), more: docs.length > limit };
    });

  /** The outcome of a write the unique sku index refused: which product holds the SKU. */
  const skuTaken = async (sku: string, writerId: string, cause: unknown): Promise<WriteOutcome> => {
    const holder = await products.findOne({ sku }, { projection: { _id: 1 } });
    // The writer holds the SKU itself: the index refused something else, which is not expected.
    if (holder?._id === writerId) throw cause;
    // No holder: it changed its SKU since; the answer is still that the SKU was taken.
    return { kind: "sku-taken", holderId: holder?._id };
  };

  /**
   * A new version, after a write that changed products. The write is committed by then, so a
   * failure here must not fail the caller's request (a retried create would find its own SKU
   * taken): it is logged, and other replicas' cached pages then age out within their max age.
   */
  const afterWrite = (): Promise<void> =>
    bumpVersion().catch((err: unknown) =>
      logger.warn(
        { err: err instanceof Error ? err.message : String(err) },
        "catalog version not replaced after a write: listings may lag",
      ),
    );

  /** Replaces the version token (the first write creates the document). */
  const bumpVersion = async (): Promise<void> => {
    const update = { $set: { token: randomUUID() } };
    try {
      await versions.updateOne({ _id: "products" }, update, { upsert: true });
    } catch (err) {
      // Two first writes at once: the other created the document; set it again.
      if (!isDuplicateKey(err)) throw err;
      await versions.updateOne({ _id: "products" }, update);
    }
  };

  return {
    probe: mongo.probe,

    seed(seedProducts, now): Promise<SeedResult> {
      const operations: AnyBulkWriteOperation<ProductDocument>[] = seedProducts.map(({ id, fields }) => {
        const { _id, sku, ...rest } = documentFromFields(id, fields, now, now);
        return { updateOne: { filter: { sku }, update: { $setOnInsert: { _id, ...rest } }, upsert: true } };
      });
      return guard(async () => {
        if (operations.length === 0) return { inserted: 0, conflicts: [] };
        try {
          const result = await products.bulkWrite(operations, { ordered: false });
          if (result.upsertedCount > 0) await afterWrite();
          return { inserted: result.upsertedCount, conflicts: [] };
        } catch (err) {
          // A seed product whose id another product took (or a replica seeding at the same moment).
          if (!(err instanceof MongoBulkWriteError)) throw err;
          const writeErrors = Array.isArray(err.writeErrors) ? err.writeErrors : [err.writeErrors];
          if (!writeErrors.every((e) => isDuplicateKeyCode(e.code, e.errmsg ?? ""))) throw err;
          if (err.result.upsertedCount > 0) await afterWrite();
          return {
            inserted: err.result.upsertedCount,
            conflicts: writeErrors.map((e) => seedProducts[e.index]?.fields.sku ?? `#${e.index}`),
          };
        }
      });
    },

    version: () =>
      guard(async () => {
        const doc = await versions.findOne({ _id: "products" });
        // No write yet: every reader finds the same empty token, so it is a version like any other.
        return doc?.token ?? "";
      }),

    get: (id) =>
      guard(async () => {
        const doc = await products.findOne({ _id: id });
        return doc === null ? undefined : productFromDocument(doc);
      }),

    list: (category, request) => page(category === "" ? {} : { categories: category }, request),

    search(text, request) {
      const pattern = { $regex: escapeRegex(text), $options: "i" };
      return page({ $or: [{ name: pattern }, { description: pattern }] }, request);
    },

    create: (id, fields, now) =>
      guard(async (): Promise<WriteOutcome> => {
        const doc = documentFromFields(id, fields, now, now);
        try {
          await products.insertOne(doc);
        } catch (err) {
          if (!isDuplicateKey(err)) throw err;
          return skuTaken(fields.sku, id, err);
        }
        await afterWrite();
        return { kind: "stored", product: productFromDocument(doc) };
      }),

    replace: (id, fields, now) =>
      guard(async (): Promise<WriteOutcome> => {
        let doc: ProductDocument | null;
        try {
          doc = await products.findOneAndUpdate(
            { _id: id },
            { $set: { ...documentFieldsOf(fields), updateTime: now } },
            { returnDocument: "after" },
          );
        } catch (err) {
          if (!isDuplicateKey(err)) throw err;
          return skuTaken(fields.sku, id, err);
        }
        if (doc === null) return { kind: "not-found" };
        await afterWrite();
        return { kind: "stored", product: productFromDocument(doc) };
      }),
  };
}

/** `text` as a regular expression that matches it literally (both MongoDB's PCRE and FerretDB's Go regexp). */
export function escapeRegex(text: string): string {
  // NUL is written as \x00: a pattern may not contain the byte itself.
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&").replace(/\0/g, "\\x00");
}
