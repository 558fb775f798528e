// How a product is stored in the `products` collection, and the mapping to and from the
// shop.catalog.v1.Product message. Documents hold plain values (numbers, strings, Dates): never a
// protobuf message, which carries $typeName and bigints.
import { create } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { ProductSchema, type Product } from "@shopmesh/gen/shop/catalog/v1/catalog_pb.js";
import { moneyFromAmount, type Amount } from "@shopmesh/domain";
import type { ProductFields } from "./catalog-store.js";

export interface ProductDocument {
  /** The product id. */
  _id: string;
  sku: string;
  name: string;
  description: string;
  /** Whole units and nanos of the currency, as in google.type.Money, as safe integers. */
  price: { currencyCode: string; units: number; nanos: number };
  categories: string[];
  imageUrl: string;
  createTime: Date;
  updateTime: Date;
}

/** The document for product `id` with `fields`. */
export function documentFromFields(id: string, fields: ProductFields, createTime: Date, updateTime: Date): ProductDocument {
  return { _id: id, ...documentFieldsOf(fields), createTime, updateTime };
}

/** The stored form of the writable fields: what a replace sets. */
export function documentFieldsOf(fields: ProductFields): Omit<ProductDocument, "_id" | "createTime" | "updateTime"> {
  return {
    sku: fields.sku,
    name: fields.name,
    description: fields.description,
    price: storedPrice(fields.price),
    categories: [...fields.categories],
    imageUrl: fields.imageUrl,
  };
}

/** The message for a stored product. Optional fields missing from a document read as empty. */
export function productFromDocument(doc: ProductDocument): Product {
  return create(ProductSchema, {
    id: doc._id,
    sku: doc.sku,
    name: doc.name,
    description: doc.description ?? "",
    price: { currencyCode: doc.price.currencyCode, units: BigInt(doc.price.units), nanos: doc.price.nanos },
    categories: doc.categories ?? [],
    imageUrl: doc.imageUrl ?? "",
    createTime: timestampFromDate(doc.createTime),
    updateTime: timestampFromDate(doc.updateTime),
  });
}

/** A price as the document keeps it; validation admits only units that are safe integers. */
function storedPrice(price: Amount): ProductDocument["price"] {
  const money = moneyFromAmount(price);
  return { currencyCode: money.currencyCode, units: Number(money.units), nanos: money.nanos };
}
