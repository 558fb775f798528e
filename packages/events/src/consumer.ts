// A durable consumer of events: each message is decoded by its type header and handed to its
// handler; an ack follows success. The broker delivers at least once, so handlers apply an event
// at most once by its id (in the consumer's own store). A failed try is retried with a growing
// delay while later messages go on. A try that failed because a store is unreachable (the
// handler's UNAVAILABLE) is retried for as long as that lasts, up to every 30 s; one that failed
// for a reason of the message's own counts, and after the consumer's max tries (its metadata,
// which the mesh sets up), or at once for a message that can never be handled (it does not
// decode, its type or schema version is unknown), the message goes to the consumer's dead
// letters with the reason, and the stream goes on.
import { fromBinary, type DescMessage, type MessageShape } from "@bufbuild/protobuf";
import { Code, ConnectError } from "@connectrpc/connect";
import type { JsMsg } from "@nats-io/jetstream";
import { headers } from "@nats-io/transport-node";
import type { EventMeta } from "@shopmesh/gen/shop/common/v1/common_pb.js";
import type { BackgroundLoop, Logger } from "@shopmesh/kit";
import { headerNames, headerRecord } from "./envelope.js";
import type { BrokerLink } from "./link.js";
import { deadLetterPrefix, maxTriesKey } from "./names.js";
import { inConsumeSpan } from "./trace.js";

/** What a handler gets besides the decoded message. */
export interface Delivery {
  readonly meta: EventMeta;
  /** 1 for the first try. */
  readonly attempt: number;
}

export interface EventHandler<S extends DescMessage = DescMessage> {
  readonly schema: S;
  /** Schema versions it understands (EventMeta.schema_version). */
  readonly versions: readonly number[];
  /** The event's meta, read off the decoded message. */
  meta(message: MessageShape<S>): EventMeta | undefined;
  /** Applies the event, at most once per event id; a throw means "try again later". */
  handle(message: MessageShape<S>, delivery: Delivery): Promise<void>;
}

/** A handler of one event type, typed by its schema. */
export function on<S extends DescMessage>(handler: EventHandler<S>): EventHandler {
  return handler as unknown as EventHandler;
}

export interface ConsumerOptions {
  readonly link: BrokerLink | undefined;
  readonly stream: string;
  /** The durable consumer: the consuming service's name. Its dead letters go to `deadletter.<durable>.<subject>`. */
  readonly durable: string;
  /** By full type name. */
  readonly handlers: Readonly<Record<string, EventHandler>>;
  readonly logger: Logger;
  /** First retry delay, doubling per try up to 10 s. */
  readonly retryBaseMs?: number;
}

/** A message that can never be handled, however often it is tried: straight to the dead letters. */
export class UnusableEvent extends Error {
  override readonly name = "UnusableEvent";
}

const maxRetryDelayMs = 10_000;
/** Retries while a store is down come at least this often. */
const maxOutageRetryDelayMs = 30_000;
/** Tries before a failing message is dead-lettered, when the consumer's metadata does not say. */
const defaultMaxTries = 5;

/** What the pull loop meets that keeps events from arriving, logged: nats.js itself retries quietly. */
const troubles: ReadonlySet<string> = new Set([
  "heartbeats_missed",
  "consumer_not_found",
  "stream_not_found",
  "consumer_deleted",
  "no_responders",
]);

async function logTrouble(statuses: AsyncIterable<{ readonly type: string }>, log: Logger): Promise<void> {
  for await (const status of statuses) if (troubles.has(status.type)) log.warn({ status: status.type }, "consumer not receiving events");
}

/** A store outage: nothing wrong with the message, it is worth trying again for as long as it lasts. */
function isOutage(err: unknown): boolean {
  return err instanceof ConnectError && err.code === Code.Unavailable;
}

export function startEventConsumer(options: ConsumerOptions): BackgroundLoop {
  const { link, stream, durable, logger } = options;
  const retryBaseMs = options.retryBaseMs ?? 500;
  const deadLetters = deadLetterPrefix(durable);
  let stopped = false;
  let maxTries = defaultMaxTries;
  let messages: { stop(): void } | undefined;
  let onStop: () => void = () => undefined;
  const stopping = new Promise<undefined>((resolve) => {
    onStop = () => resolve(undefined);
  });
  const log = logger.child({ consumer: `${stream}/${durable}` });

  const decode = (m: JsMsg): { handler: EventHandler; message: unknown; meta: EventMeta; type: string } => {
    const type = m.headers?.get(headerNames.type) || m.subject;
    const handler = options.handlers[type];
    if (handler === undefined) throw new UnusableEvent(`no handler for event type ${type}`);
    let message: unknown;
    try {
      message = fromBinary(handler.schema, m.data);
    } catch (err) {
      throw new UnusableEvent(`not a valid ${type}: ${err instanceof Error ? err.message : String(err)}`);
    }
    const meta = handler.meta(message as never);
    if (meta === undefined || meta.eventId === "") throw new UnusableEvent(`${type} without meta.event_id`);
    if (!handler.versions.includes(meta.schemaVersion)) {
      throw new UnusableEvent(`${type} schema version ${meta.schemaVersion} is not one of ${handler.versions.join(", ")}`);
    }
    return { handler, message, meta, type };
  };

  const deadLetter = async (m: JsMsg, reason: string): Promise<void> => {
    const broker = link?.current();
    if (broker === undefined) throw new Error("no broker connection for the dead letter");
    const h = m.headers ?? headers();
    h.set("shop-dead-letter-reason", reason.slice(0, 500));
    h.set("shop-dead-letter-deliveries", String(m.info.deliveryCount));
    h.set("shop-dead-letter-stream-sequence", String(m.info.streamSequence));
    await broker.js.publish(`${deadLetters}.${m.subject}`, m.data, {
      headers: h,
      msgID: `${stream}/${m.info.streamSequence}`,
    });
    m.term(reason.slice(0, 200));
    log.warn({ subject: m.subject, stream_sequence: m.info.streamSequence, reason }, "event moved to dead letters");
  };

  const handleMessage = async (m: JsMsg): Promise<void> => {
    const attempt = m.info.deliveryCount;
    try {
      const { handler, message, meta, type } = decode(m);
      await inConsumeSpan(type, durable, headerRecord(m.headers), () => handler.handle(message as never, { meta, attempt }));
      m.ack();
    } catch (err) {
      const reason = err instanceof Error ? err.message : String(err);
      if (isOutage(err)) {
        const delay = Math.min(retryBaseMs * 2 ** (attempt - 1), maxOutageRetryDelayMs);
        log.warn({ subject: m.subject, attempt, retry_in_ms: delay, err: reason }, "event not handled while a store is down; retrying");
        m.nak(delay);
        return;
      }
      if (err instanceof UnusableEvent || attempt >= maxTries) {
        try {
          await deadLetter(m, reason);
        } catch (dlqErr) {
          // The dead letter could not be written (the broker went away): the message comes back
          // (the broker redelivers without limit) and goes to the dead letters then.
          log.warn({ err: dlqErr instanceof Error ? dlqErr.message : String(dlqErr) }, "could not write the dead letter");
          m.nak(maxRetryDelayMs);
        }
        return;
      }
      const delay = Math.min(retryBaseMs * 2 ** (attempt - 1), maxRetryDelayMs);
      log.warn({ subject: m.subject, attempt, retry_in_ms: delay, err: reason }, "event not handled; retrying");
      m.nak(delay);
    }
  };

  const run = (async () => {
    // A stop while the broker was never reached ends the wait.
    const broker = await Promise.race([link?.connected(), stopping]);
    while (!stopped && broker !== undefined) {
      try {
        const consumer = await broker.js.consumers.get(stream, durable);
        const configured = Number((await consumer.info(true)).config.metadata?.[maxTriesKey]);
        maxTries = Number.isInteger(configured) && configured > 0 ? configured : defaultMaxTries;
        // A few at a time: messages wait in this process while earlier ones are handled, and an
        // ack wait that runs out on one that was never tried would count as a delivery.
        const iterator = await consumer.consume({ max_messages: 16 });
        messages = iterator;
        logTrouble(iterator.status(), log).catch(() => undefined);
        // A stop that came while this was being set up.
        if (stopped) {
          iterator.stop();
          break;
        }
        // One at a time keeps each user's notifications in the order the events arrive.
        for await (const m of iterator) await handleMessage(m);
      } catch (err) {
        if (stopped) break;
        log.warn({ err: err instanceof Error ? err.message : String(err) }, "consumer interrupted; resuming");
        await Promise.race([new Promise((resolve) => setTimeout(resolve, 1_000)), stopping]);
      }
    }
  })();

  return {
    async stop() {
      stopped = true;
      onStop();
      messages?.stop();
      await run;
    },
  };
}
