// The inventory store on Redis: every read-modify-write is one Lua script (lua-scripts.ts).
import { ErrorReply } from "@redis/client";
import { storeGuard, type RedisStore } from "@shopmesh/stores/redis";
import {
  commitScript,
  expireDueScript,
  getStockScript,
  recordSaleScript,
  releaseScript,
  reserveScript,
  setStockScript,
  type LuaScript,
} from "./lua-scripts.js";
import { linesToStored, reservationFromStored, stockFromStored } from "./mappers.js";
import { appliedEventKey, expiryKey, reservationKey, stockKey } from "./redis-keys.js";

/** How long an applied event's id is remembered: longer than the broker keeps events (7 days) and their dead letters (14). */
const appliedEventTtlSeconds = 30 * 24 * 3_600;
import type { InventoryStore, ReservedLine, ReserveOutcome, Shortage, StockLevel, TransitionOutcome } from "./inventory-store.js";

/**
 * How many due reservations a stock read or change expires on its way (the sweeper does the
 * rest); bounds the work one call can be charged with.
 */
const inlineExpiryLimit = 100;

export function createRedisInventoryStore(redis: RedisStore): InventoryStore {
  const { client } = redis;

  // The one place store failures are translated: an outage is UNAVAILABLE.
  const guard = storeGuard("inventory store");

  /** Runs a script by its SHA1, sending the source once when Redis does not have it cached. */
  const run = (script: LuaScript, keys: string[], args: string[]): Promise<unknown[]> =>
    guard(async () => {
      let reply: unknown;
      try {
        reply = await client.evalSha(script.sha1, { keys, arguments: args });
      } catch (err) {
        if (!isNoScript(err)) throw err;
        reply = await client.eval(script.source, { keys, arguments: args });
      }
      if (!Array.isArray(reply) && typeof reply !== "number") {
        throw new Error(`script ${script.name} replied ${JSON.stringify(reply)}`);
      }
      return Array.isArray(reply) ? (reply as unknown[]) : [reply];
    });

  const stockLevel = (sku: string, reply: unknown[]): StockLevel | undefined => stockFromStored(sku, reply[0], reply[1], reply[2]);

  const transition = async (script: LuaScript, orderId: string, nowMs: number): Promise<TransitionOutcome> => {
    const reply = await run(script, [reservationKey(orderId), expiryKey], [orderId, String(nowMs)]);
    if (reply[0] === "NOT_FOUND") return { kind: "not-found" };
    return { kind: "found", reservation: reservationFromStored(orderId, reply[1], reply[2], reply[3]) };
  };

  return {
    probe: redis.probe,

    async getStock(sku, nowMs) {
      const reply = await run(getStockScript, [stockKey(sku), expiryKey], [String(nowMs), String(inlineExpiryLimit)]);
      return stockLevel(sku, reply);
    },

    async recordSale(eventId, lines) {
      const reply = await run(
        recordSaleScript,
        [appliedEventKey(eventId), ...lines.map((l) => stockKey(l.sku))],
        [String(appliedEventTtlSeconds), ...lines.map((l) => String(l.quantity))],
      );
      return reply[0] === 1;
    },

    async setStock(sku, available, nowMs) {
      const reply = await run(setStockScript, [stockKey(sku), expiryKey], [String(available), String(nowMs), String(inlineExpiryLimit)]);
      const level = stockLevel(sku, reply);
      if (level === undefined) throw new Error(`stock ${sku} missing right after it was set`);
      return level;
    },

    async reserve(orderId: string, lines: readonly ReservedLine[], nowMs: number, ttlMs: number): Promise<ReserveOutcome> {
      const reply = await run(
        reserveScript,
        [reservationKey(orderId), expiryKey, ...lines.map((l) => stockKey(l.sku))],
        [orderId, linesToStored(lines), String(nowMs), String(nowMs + ttlMs), String(inlineExpiryLimit)],
      );
      const [tag, ...rest] = reply;
      switch (tag) {
        case "SHORT":
          return { kind: "short", shortages: shortagesFrom(rest) };
        case "CREATED":
        case "REPLAYED":
        case "CONFLICT":
          return {
            kind: tag === "CREATED" ? "created" : tag === "REPLAYED" ? "replayed" : "conflict",
            reservation: reservationFromStored(orderId, rest[0], rest[1], rest[2]),
          };
        default:
          throw new Error(`script ${reserveScript.name} replied ${JSON.stringify(tag)}`);
      }
    },

    commit: (orderId, nowMs) => transition(commitScript, orderId, nowMs),

    release: (orderId, nowMs) => transition(releaseScript, orderId, nowMs),

    async expireDue(nowMs, limit) {
      const [count] = await run(expireDueScript, [expiryKey], [String(nowMs), String(limit)]);
      return Number(count);
    },
  };
}

function shortagesFrom(triples: unknown[]): Shortage[] {
  const shortages: Shortage[] = [];
  for (let i = 0; i + 2 < triples.length; i += 3) {
    shortages.push({ sku: String(triples[i]), requested: Number(triples[i + 1]), available: Number(triples[i + 2]) });
  }
  return shortages;
}

function isNoScript(err: unknown): boolean {
  return err instanceof ErrorReply && err.message.startsWith("NOSCRIPT");
}
