// Every change to a cart is one Lua script, so that it runs atomically in Redis: two AddItem
// calls for the same product both count, and a limit is checked against the cart it changes.
// Layout of the hash: cart-hash.ts.
import { createHash } from "node:crypto";
import { ErrorReply } from "@redis/client";
import type { RedisClient } from "@shopmesh/stores/redis";

/** A script run with EVALSHA, sent again with EVAL when Redis does not know it (after a restart). */
export class LuaScript {
  private readonly sha1: string;

  constructor(private readonly source: string) {
    this.sha1 = createHash("sha1").update(source).digest("hex");
  }

  async run(client: RedisClient, keys: string[], args: string[]): Promise<unknown> {
    try {
      return await client.evalSha(this.sha1, { keys, arguments: args });
    } catch (err) {
      if (!(err instanceof ErrorReply && err.message.startsWith("NOSCRIPT"))) throw err;
      return client.eval(this.source, { keys, arguments: args });
    }
  }
}

/**
 * KEYS[1] the cart; ARGV: product id, quantity, sku, name, unit price in minor units, currency,
 * now (ms), ttl (s), most units per line, most lines per cart.
 * Returns {"added", <the cart as HGETALL>} or {"refused", units in cart, cart currency or "",
 * reason…} (reasons: QUANTITY, CART_FULL, CURRENCY), in which case nothing was written.
 */
export const addItemScript = new LuaScript(`
local key = KEYS[1]
local field = 'line:' .. ARGV[1]
local add = tonumber(ARGV[2])
local currency = ARGV[6]
local max_quantity = tonumber(ARGV[9])
local max_lines = tonumber(ARGV[10])

local lines = 0
local existing = nil
local cart_currency = ''
local other_currency = nil
local stored = redis.call('HGETALL', key)
for i = 1, #stored, 2 do
  local name = stored[i]
  if string.sub(name, 1, 5) == 'line:' then
    lines = lines + 1
    local line = cjson.decode(stored[i + 1])
    if cart_currency == '' then cart_currency = line.currency end
    if line.currency ~= currency then other_currency = line.currency end
    if name == field then existing = line end
  end
end

local reasons = {}
local in_cart = 0
if existing then in_cart = existing.quantity end
if existing and in_cart + add > max_quantity then table.insert(reasons, 'QUANTITY') end
if not existing and lines >= max_lines then table.insert(reasons, 'CART_FULL') end
if other_currency then
  cart_currency = other_currency
  table.insert(reasons, 'CURRENCY')
end
if #reasons > 0 then
  return {'refused', in_cart, cart_currency, unpack(reasons)}
end

local seq
if existing then seq = existing.seq else seq = redis.call('HINCRBY', key, 'seq', 1) end
local line = cjson.encode({
  seq = seq, quantity = in_cart + add, sku = ARGV[3], name = ARGV[4],
  unit_minor = ARGV[5], currency = currency,
})
redis.call('HSET', key, field, line, 'updated_ms', ARGV[7])
redis.call('EXPIRE', key, ARGV[8])
return {'added', redis.call('HGETALL', key)}
`);

/** KEYS[1] the cart; ARGV: product id, now (ms), ttl (s). Returns the cart as HGETALL. */
export const removeItemScript = new LuaScript(`
local key = KEYS[1]
if redis.call('HDEL', key, 'line:' .. ARGV[1]) == 1 then
  redis.call('HSET', key, 'updated_ms', ARGV[2])
end
if redis.call('EXISTS', key) == 1 then redis.call('EXPIRE', key, ARGV[3]) end
return redis.call('HGETALL', key)
`);

/** KEYS[1] the cart; ARGV: now (ms), ttl (s). Returns the cart as HGETALL. */
export const emptyCartScript = new LuaScript(`
local key = KEYS[1]
local fields = redis.call('HKEYS', key)
local removed = 0
for _, name in ipairs(fields) do
  if string.sub(name, 1, 5) == 'line:' then
    redis.call('HDEL', key, name)
    removed = removed + 1
  end
end
if removed > 0 then redis.call('HSET', key, 'updated_ms', ARGV[1]) end
if #fields > 0 then redis.call('EXPIRE', key, ARGV[2]) end
return redis.call('HGETALL', key)
`);
