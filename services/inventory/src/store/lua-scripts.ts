// The Lua scripts behind every stock change. Redis runs each script atomically, so a check and
// the writes that depend on it cannot interleave with another call: stock never goes negative
// and an order id never takes stock twice, however many calls race.
//
// What the keys hold (see redis-keys.ts):
//   inv:stock:<SKU>      hash   available  units on hand not held by a HELD reservation
//                               reserved   units held by HELD reservations
//                               sold       units of confirmed orders (from OrderConfirmed events)
//   inv:res:<order id>   hash   state      HELD | COMMITTED | RELEASED | EXPIRED
//                               lines      JSON [{"sku": "...", "quantity": n}, ...] as requested
//                               expire_ms  creation time plus ttl, epoch milliseconds
//   inv:expiry           zset   order ids of HELD reservations, scored by expire_ms
//   inv:event:<event id> string an event already applied (expires)
//
// Keys known before a script runs come in KEYS. A reservation's stock keys, and the keys of other
// orders' due reservations, are derived inside the script from the prefixes below: the inventory
// has a Redis server of its own (not a Cluster), where that is allowed.
//
// Time comes from the caller (ARGV "now", epoch milliseconds), so a reservation that is due but
// not yet swept is expired in the same script that reads or changes it.
import { createHash } from "node:crypto";
import { reservationPrefix, stockPrefix } from "./redis-keys.js";

export interface LuaScript {
  readonly name: string;
  readonly source: string;
  /** SHA1 of the source, for EVALSHA. */
  readonly sha1: string;
}

function script(name: string, body: string): LuaScript {
  const source = `${common}\n${body}`;
  return { name, source, sha1: createHash("sha1").update(source).digest("hex") };
}

const common = `
local STOCK_PREFIX = '${stockPrefix}'
local RESERVATION_PREFIX = '${reservationPrefix}'

-- Moves a reservation's units from reserved back to available.
local function return_units(lines)
  for _, line in ipairs(lines) do
    local stock = STOCK_PREFIX .. line.sku
    redis.call('HINCRBY', stock, 'reserved', -line.quantity)
    redis.call('HINCRBY', stock, 'available', line.quantity)
  end
end

-- A HELD reservation whose expire_ms is not after now becomes EXPIRED and its units return.
-- An order that is no longer HELD leaves the expiry set.
local function expire_if_due(expiry_key, order_id, now)
  local key = RESERVATION_PREFIX .. order_id
  local state, lines, expire_ms = unpack(redis.call('HMGET', key, 'state', 'lines', 'expire_ms'))
  if state == 'HELD' then
    if tonumber(expire_ms) > now then return end
    return_units(cjson.decode(lines))
    redis.call('HSET', key, 'state', 'EXPIRED')
  end
  redis.call('ZREM', expiry_key, order_id)
end

-- Expires up to limit due reservations, oldest first; returns how many were due.
local function expire_due(expiry_key, now, limit)
  local due = redis.call('ZRANGEBYSCORE', expiry_key, '-inf', now, 'LIMIT', 0, limit)
  for _, order_id in ipairs(due) do
    expire_if_due(expiry_key, order_id, now)
  end
  return #due
end

-- True when two line lists hold the same SKUs with the same quantities, in any order
-- (SKUs are distinct within a list).
local function same_lines(a, b)
  if #a ~= #b then return false end
  local quantity_of = {}
  for _, line in ipairs(a) do quantity_of[line.sku] = line.quantity end
  for _, line in ipairs(b) do
    if quantity_of[line.sku] ~= line.quantity then return false end
  end
  return true
end

-- { tag, state, lines JSON, expire_ms } of the reservation at key.
local function reservation_reply(tag, key)
  local fields = redis.call('HMGET', key, 'state', 'lines', 'expire_ms')
  return { tag, fields[1], fields[2], fields[3] }
end
`;

/**
 * KEYS[1] stock hash of the SKU, KEYS[2] expiry set.
 * ARGV[1] now, ARGV[2] how many due reservations to expire first.
 * Returns { available, reserved, sold }, all nil for a SKU never set.
 */
export const getStockScript = script(
  "get-stock",
  `
expire_due(KEYS[2], tonumber(ARGV[1]), tonumber(ARGV[2]))
return redis.call('HMGET', KEYS[1], 'available', 'reserved', 'sold')
`,
);

/**
 * KEYS[1] stock hash of the SKU, KEYS[2] expiry set.
 * ARGV[1] the new available quantity, ARGV[2] now, ARGV[3] how many due reservations to expire first.
 * Due reservations expire before the new value is set, so their units do not land on top of it.
 * Returns { available, reserved, sold }.
 */
export const setStockScript = script(
  "set-stock",
  `
expire_due(KEYS[2], tonumber(ARGV[2]), tonumber(ARGV[3]))
redis.call('HSET', KEYS[1], 'available', ARGV[1])
redis.call('HSETNX', KEYS[1], 'reserved', 0)
return redis.call('HMGET', KEYS[1], 'available', 'reserved', 'sold')
`,
);

/**
 * KEYS[1] reservation hash of the order, KEYS[2] expiry set, KEYS[2 + i] stock hash of line i.
 * ARGV[1] order id, ARGV[2] lines JSON (as requested), ARGV[3] now, ARGV[4] expire_ms,
 * ARGV[5] how many due reservations to expire first.
 * Returns
 *   { 'REPLAYED' | 'CONFLICT', state, lines, expire_ms }  the order already has a reservation
 *   { 'SHORT', sku, requested, available, ... }          one triple per short SKU; nothing taken
 *   { 'CREATED', state, lines, expire_ms }               every line is now held
 */
export const reserveScript = script(
  "reserve",
  `
local now = tonumber(ARGV[3])
expire_due(KEYS[2], now, tonumber(ARGV[5]))
local lines = cjson.decode(ARGV[2])

if redis.call('EXISTS', KEYS[1]) == 1 then
  expire_if_due(KEYS[2], ARGV[1], now)
  local stored = cjson.decode(redis.call('HGET', KEYS[1], 'lines'))
  if same_lines(stored, lines) then return reservation_reply('REPLAYED', KEYS[1]) end
  return reservation_reply('CONFLICT', KEYS[1])
end

-- Check every line before writing anything: all or nothing. A SKU never set has no hash and
-- counts as 0 available.
local short = { 'SHORT' }
for i, line in ipairs(lines) do
  local available = tonumber(redis.call('HGET', KEYS[2 + i], 'available')) or 0
  if available < line.quantity then
    table.insert(short, line.sku)
    table.insert(short, line.quantity)
    table.insert(short, available)
  end
end
if #short > 1 then return short end

for i, line in ipairs(lines) do
  redis.call('HINCRBY', KEYS[2 + i], 'available', -line.quantity)
  redis.call('HINCRBY', KEYS[2 + i], 'reserved', line.quantity)
end
redis.call('HSET', KEYS[1], 'state', 'HELD', 'lines', ARGV[2], 'expire_ms', ARGV[4])
redis.call('ZADD', KEYS[2], ARGV[4], ARGV[1])
return reservation_reply('CREATED', KEYS[1])
`,
);

/**
 * KEYS[1] reservation hash of the order, KEYS[2] expiry set. ARGV[1] order id, ARGV[2] now.
 * HELD and not due → COMMITTED: the units leave reserved for good. Other states stay as they are.
 * Returns { 'NOT_FOUND' } or { 'FOUND', state, lines, expire_ms } after the change.
 */
export const commitScript = script(
  "commit",
  `
if redis.call('EXISTS', KEYS[1]) == 0 then return { 'NOT_FOUND' } end
expire_if_due(KEYS[2], ARGV[1], tonumber(ARGV[2]))
if redis.call('HGET', KEYS[1], 'state') == 'HELD' then
  for _, line in ipairs(cjson.decode(redis.call('HGET', KEYS[1], 'lines'))) do
    redis.call('HINCRBY', STOCK_PREFIX .. line.sku, 'reserved', -line.quantity)
  end
  redis.call('HSET', KEYS[1], 'state', 'COMMITTED')
  redis.call('ZREM', KEYS[2], ARGV[1])
end
return reservation_reply('FOUND', KEYS[1])
`,
);

/**
 * KEYS[1] reservation hash of the order, KEYS[2] expiry set. ARGV[1] order id, ARGV[2] now.
 * HELD and not due → RELEASED: the units return to available. Other states stay as they are.
 * Returns { 'NOT_FOUND' } or { 'FOUND', state, lines, expire_ms } after the change.
 */
export const releaseScript = script(
  "release",
  `
if redis.call('EXISTS', KEYS[1]) == 0 then return { 'NOT_FOUND' } end
expire_if_due(KEYS[2], ARGV[1], tonumber(ARGV[2]))
if redis.call('HGET', KEYS[1], 'state') == 'HELD' then
  return_units(cjson.decode(redis.call('HGET', KEYS[1], 'lines')))
  redis.call('HSET', KEYS[1], 'state', 'RELEASED')
  redis.call('ZREM', KEYS[2], ARGV[1])
end
return reservation_reply('FOUND', KEYS[1])
`,
);

/**
 * KEYS[1] expiry set. ARGV[1] now, ARGV[2] the most reservations to expire in this call.
 * Returns how many were due (when that equals the limit, more may be).
 */
export const expireDueScript = script(
  "expire-due",
  `
return expire_due(KEYS[1], tonumber(ARGV[1]), tonumber(ARGV[2]))
`,
);

/**
 * KEYS[1] the event's key, KEYS[1 + i] stock hash of line i. ARGV[1] how long to remember the
 * event (seconds), ARGV[1 + i] the quantity of line i. Counts an order's lines as sold, once per
 * event: returns 1 when it counted them, 0 when the event was applied before.
 */
export const recordSaleScript = script(
  "record-sale",
  `
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
for i = 2, #KEYS do redis.call('HINCRBY', KEYS[i], 'sold', tonumber(ARGV[i])) end
redis.call('SET', KEYS[1], 1, 'EX', ARGV[1])
return 1
`,
);
