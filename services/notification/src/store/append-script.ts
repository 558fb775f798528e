// The Lua script behind SendNotification. Each entry records the id of the user's entry before
// it ("prev"), read and written in one atomic step, so a subscriber can tell exactly whether it
// received every notification: an entry whose "prev" is not the last one delivered means the
// ones between aged out unread.
//
//   notifications:<user id>   stream   kind  NotificationKind by name ("ORDER_SHIPPED")
//                                      text  the message
//                                      prev  id of the previous entry, "0-0" for the first
import { createHash } from "node:crypto";

export const previousIdField = "prev";

/** KEYS[1] the user's stream; ARGV history limit, kind, text. Replies the new entry's id. */
export const appendSource = `
local newest = redis.call('XREVRANGE', KEYS[1], '+', '-', 'COUNT', 1)
local prev = '0-0'
if #newest > 0 then prev = newest[1][1] end
return redis.call('XADD', KEYS[1], 'MAXLEN', '=', ARGV[1], '*',
  'kind', ARGV[2], 'text', ARGV[3], '${previousIdField}', prev)
`;

export const appendSha1 = createHash("sha1").update(appendSource).digest("hex");
