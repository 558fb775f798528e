// The notification store on Redis: one stream per user, trimmed to the newest `historyLimit`
// entries on every append (append-script.ts). Stream entry ids are the notification ids.
import { ClientOfflineError, ConnectionTimeoutError, ErrorReply } from "@redis/client";
import type { NotificationKind } from "@shopmesh/gen/shop/notification/v1/notification_pb.js";
import { storeError, storeGuard, type RedisClient, type RedisStore } from "@shopmesh/stores/redis";
import { appendSha1, appendSource, previousIdField } from "./append-script.js";
import { recordFromEntry, toNotificationFields } from "./mappers.js";
import {
  AfterIdNotIssuedError,
  SubscriberFellBehindError,
  type NotificationPage,
  type NotificationRecord,
  type NotificationStore,
} from "./notification-store.js";
import { compareStreamIds, parseStreamId } from "./stream-id.js";

export interface RedisNotificationStoreOptions {
  /** How many notifications are kept per user; older ones are deleted as new ones arrive. */
  readonly historyLimit: number;
  /** How long one XREAD of a subscriber blocks before it looks at its signal again. */
  readonly blockMs: number;
  /** How long a subscriber waits for its own connection before answering UNAVAILABLE. */
  readonly connectTimeoutMs?: number;
}

const storeName = "notification store";
/** Entries a subscriber reads per XREAD. */
const readBatch = 100;

export function notificationsKey(userId: string): string {
  return `notifications:${userId}`;
}

export function appliedEventKey(eventId: string): string {
  return `applied-events:${eventId}`;
}

/** How long an applied event's id is remembered: longer than the broker keeps events (7 days) and their dead letters (14). */
const appliedEventTtlSeconds = 30 * 24 * 3_600;

/** The shape of XRANGE/XREVRANGE/XREAD entries as the client returns them (RESP2). */
interface StreamEntry {
  readonly id: string;
  readonly message: Readonly<Record<string, string | undefined>>;
}

export function createRedisNotificationStore(redis: RedisStore, options: RedisNotificationStoreOptions): NotificationStore {
  const { client } = redis;
  const { historyLimit, blockMs } = options;
  const connectTimeoutMs = options.connectTimeoutMs ?? 2_000;

  /** The one place store failures are translated: an outage is UNAVAILABLE. */
  const guard = storeGuard(storeName);

  /**
   * A connection of the subscriber's own: XREAD BLOCK would stall every other command on the
   * shared one. Made here rather than with RedisStore.duplicate() so that it can be destroyed
   * while it is still connecting (that one keeps reconnecting until Redis answers).
   */
  const openReader = async (signal: AbortSignal): Promise<RedisClient> => {
    // The shared connection already knows Redis is down: answer at once.
    if (!client.isReady) throw new ClientOfflineError();
    const reader = client.duplicate();
    // Failures reach the caller as rejected commands; the event would crash the process unheard.
    reader.on("error", () => undefined);
    const close = (): void => {
      if (reader.isOpen) reader.destroy();
    };
    let timer: NodeJS.Timeout | undefined;
    signal.addEventListener("abort", close, { once: true });
    try {
      await Promise.race([
        reader.connect(),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new ConnectionTimeoutError()), connectTimeoutMs);
        }),
      ]);
      return reader;
    } catch (err) {
      close();
      throw err;
    } finally {
      clearTimeout(timer);
      signal.removeEventListener("abort", close);
    }
  };

  /** Where a subscriber starts reading: after `afterId`, or after the newest entry there is now. */
  const startCursor = async (reader: RedisClient, key: string, afterId: string | undefined): Promise<string> => {
    const newest = asEntries(await reader.xRevRange(key, "+", "-", { COUNT: 1 }))[0];
    if (afterId === undefined) return newest?.id ?? "0-0";
    // Ids are issued in increasing order, so a newer one was never issued; following it would
    // silently skip notifications until Redis's clock caught up with it.
    const issued =
      newest !== undefined ? compareStreamIds(afterId, newest.id) <= 0 : (parseStreamId(afterId)?.ms ?? 0n) <= (await redisNowMs(reader));
    if (!issued) throw new AfterIdNotIssuedError(afterId);
    return afterId;
  };

  async function* follow(
    userId: string,
    afterId: string | undefined,
    signal: AbortSignal,
  ): AsyncGenerator<NotificationRecord, void, undefined> {
    const key = notificationsKey(userId);
    let reader: RedisClient | undefined;
    // Ends a blocked XREAD at once instead of at the end of its slice.
    const closeReader = (): void => {
      if (reader?.isOpen === true) reader.destroy();
    };
    signal.addEventListener("abort", closeReader, { once: true });
    try {
      reader = await openReader(signal);
      if (signal.aborted) return;
      let cursor = await startCursor(reader, key, afterId);
      // Whether `cursor` is an entry this reader delivered. Before the first one, a gap is what
      // aged out before the call, which the contract allows; after it, a gap means this reader
      // was too slow and continuing would skip notifications silently.
      let delivered = false;
      while (!signal.aborted) {
        const reply = await reader.xRead({ key, id: cursor }, { BLOCK: blockMs, COUNT: readBatch });
        for (const entry of asEntries(reply?.[0]?.messages)) {
          const previousId = entry.message[previousIdField];
          if (delivered && previousId !== undefined && previousId !== cursor) throw new SubscriberFellBehindError(cursor);
          cursor = entry.id;
          delivered = true;
          yield recordFromEntry(userId, entry.id, entry.message);
        }
      }
    } catch (err) {
      // Closing the reader on abort fails its pending command; that is the normal end.
      if (signal.aborted) return;
      throw storeError(err, storeName);
    } finally {
      signal.removeEventListener("abort", closeReader);
      closeReader();
    }
  }

  const runAppend = async (call: { keys: string[]; arguments: string[] }): Promise<{ id: string; added: boolean }> => {
    let reply: unknown;
    try {
      reply = await client.evalSha(appendSha1, call);
    } catch (err) {
      // Redis forgets scripts on restart; sending the source loads it again.
      if (!(err instanceof ErrorReply && err.message.startsWith("NOSCRIPT"))) throw err;
      reply = await client.eval(appendSource, call);
    }
    const [id, added] = Array.isArray(reply) ? reply : [];
    if (typeof id !== "string") throw new Error(`append script replied ${JSON.stringify(reply)}`);
    return { id, added: added === 1 };
  };

  return {
    probe: redis.probe,

    append: (userId: string, kind: NotificationKind, text: string) =>
      guard(async () => {
        const fields = toNotificationFields(kind, text);
        const { id } = await runAppend({ keys: [notificationsKey(userId)], arguments: [String(historyLimit), fields.kind, fields.text] });
        return recordFromEntry(userId, id, fields);
      }),

    appendForEvent: (eventId: string, userId: string, kind: NotificationKind, text: string) =>
      guard(async () => {
        const fields = toNotificationFields(kind, text);
        return runAppend({
          keys: [notificationsKey(userId), appliedEventKey(eventId)],
          arguments: [String(historyLimit), fields.kind, fields.text, String(appliedEventTtlSeconds)],
        });
      }),

    listNewestFirst: (userId: string, limit: number, olderThanId?: string): Promise<NotificationPage> =>
      guard(async () => {
        const newest = olderThanId === undefined ? "+" : `(${olderThanId}`;
        // One more than asked for tells whether another page follows.
        const entries = asEntries(await client.xRevRange(notificationsKey(userId), newest, "-", { COUNT: limit + 1 }));
        return {
          records: entries.slice(0, limit).map((e) => recordFromEntry(userId, e.id, e.message)),
          more: entries.length > limit,
        };
      }),

    follow,
  };
}

/** Redis's clock, which stream ids are made from (rounded up to the end of its second). */
async function redisNowMs(reader: RedisClient): Promise<bigint> {
  const [seconds] = await reader.time();
  return BigInt(seconds ?? "0") * 1000n + 999n;
}

function asEntries(reply: unknown): StreamEntry[] {
  return Array.isArray(reply) ? (reply as StreamEntry[]) : [];
}
