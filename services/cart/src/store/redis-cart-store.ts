// Carts in Redis: one hash per user (layout in cart-hash.ts), changed only by Lua scripts.
import type { Clock } from "@shopmesh/kit";
import type { RedisStore } from "@shopmesh/stores/redis";
import { storeGuard } from "@shopmesh/stores/redis";
import { maxDistinctProducts, maxLineQuantity, type AddRefusal, type CartContents, type RefusalReason } from "../cart.js";
import { cartFromHash, cartKey, hashFromFlatReply } from "./cart-hash.js";
import { addItemScript, emptyCartScript, removeItemScript } from "./cart-scripts.js";
import type { AddItemOutcome, CartStore } from "./cart-store.js";

export interface RedisCartStoreOptions {
  /** A cart nobody writes to for this long is deleted by Redis. */
  readonly ttlSeconds: number;
  /** For `update_time`. */
  readonly clock: Clock;
}

export function createRedisCartStore(redis: RedisStore, options: RedisCartStoreOptions): CartStore {
  const { client } = redis;
  const ttl = String(options.ttlSeconds);
  const now = (): string => String(options.clock());

  return {
    probe: redis.probe,
    close: () => redis.close(),

    get: (userId) => translated(async () => cartFromHash(await client.hGetAll(cartKey(userId)))),

    addItem: (userId, item) =>
      translated(async () => {
        const reply = await addItemScript.run(
          client,
          [cartKey(userId)],
          [
            item.productId,
            String(item.quantity),
            item.sku,
            item.name,
            item.unitPrice.minor.toString(),
            item.unitPrice.currencyCode,
            now(),
            ttl,
            String(maxLineQuantity),
            String(maxDistinctProducts),
          ],
        );
        return addItemOutcome(reply);
      }),

    removeItem: (userId, productId) =>
      translated(async () => cartFromReply(await removeItemScript.run(client, [cartKey(userId)], [productId, now(), ttl]))),

    empty: (userId) => translated(async () => cartFromReply(await emptyCartScript.run(client, [cartKey(userId)], [now(), ttl]))),
  };
}

/** The one place where Redis failures become the errors clients see (outage → UNAVAILABLE). */
const translated = storeGuard("cart store");

function cartFromReply(reply: unknown): CartContents {
  return cartFromHash(hashFromFlatReply(reply));
}

const refusalReasons: readonly string[] = ["QUANTITY", "CART_FULL", "CURRENCY"] satisfies RefusalReason[];

function addItemOutcome(reply: unknown): AddItemOutcome {
  if (Array.isArray(reply) && reply[0] === "added") {
    return { added: true, cart: cartFromReply(reply[1]) };
  }
  if (Array.isArray(reply) && reply[0] === "refused" && typeof reply[1] === "number" && typeof reply[2] === "string") {
    const reasons = reply.slice(3).filter((r): r is RefusalReason => typeof r === "string" && refusalReasons.includes(r));
    const refusal: AddRefusal = { reasons, quantityInCart: reply[1], cartCurrency: reply[2] === "" ? undefined : reply[2] };
    if (reasons.length > 0) return { added: false, refusal };
  }
  throw new Error(`cart store: unexpected reply from the add-item script: ${JSON.stringify(reply)}`);
}
