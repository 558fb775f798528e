// The Lua script behind SendNotification and the order events. Each entry records the id of the
// user's entry before it ("prev"), read and written in one atomic step, so a subscriber can tell
// exactly whether it received every notification: an entry whose "prev" is not the last one
// delivered means the ones between aged out unread.
//
// For an event, the event's id is remembered in the same step (KEYS[2]): a redelivered event
// finds it and adds nothing, so each event is one notification however often it arrives.
//
//   notifications:<user id>      stream   kind  NotificationKind by name ("ORDER_SHIPPED")
//                                         text  the message
//                                         prev  id of the previous entry, "0-0" for the first
//   applied-events:<event id>    string   the id of the entry the event made (expires)
import { createHash } from "node:crypto";

export const previousIdField = "prev";

/**
 * KEYS[1] the user's stream, KEYS[2] (optional) the event's key; ARGV history limit, kind, text,
 * and with KEYS[2] how long to remember the event (seconds). Replies { entry id, 1 if added }.
 */
export const appendSource = `
if KEYS[2] then
  local made = redis.call('GET', KEYS[2])
  if made then return { made, 0 } end
end
local newest = redis.call('XREVRANGE', KEYS[1], '+', '-', 'COUNT', 1)
local prev = '0-0'
if #newest > 0 then prev = newest[1][1] end
local id = redis.call('XADD', KEYS[1], 'MAXLEN', '=', ARGV[1], '*',
  'kind', ARGV[2], 'text', ARGV[3], '${previousIdField}', prev)
if KEYS[2] then redis.call('SET', KEYS[2], id, 'EX', ARGV[4]) end
return { id, 1 }
`;

export const appendSha1 = createHash("sha1").update(appendSource).digest("hex");
