// A durable consumer of events: each message is decoded by its type header and handed to its
// handler; an ack follows success. The broker delivers at least once, so handlers apply an event
// at most once by its id (in the consumer's own store). A failed try is retried with a growing
// delay while later messages go on; after `maxDeliver` tries, or at once for a message that can
// never be handled (it does not decode, its type or schema version is unknown), the message goes
// to the consumer's dead letters with the reason, and the stream goes on. How many tries a
// message gets is the durable consumer's own setting (max_deliver), which the mesh sets up.
import { fromBinary, type DescMessage, type MessageShape } from "@bufbuild/protobuf";
import type { JsMsg } from "@nats-io/jetstream";
import { headers } from "@nats-io/transport-node";
import type { EventMeta } from "@shopmesh/gen/shop/common/v1/common_pb.js";
import type { BackgroundLoop, Logger } from "@shopmesh/kit";
import { headerNames, headerRecord } from "./envelope.js";
import type { BrokerLink } from "./link.js";
import { deadLetterPrefix } from "./names.js";
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

export function startEventConsumer(options: ConsumerOptions): BackgroundLoop {
  const { link, stream, durable, logger } = options;
  const retryBaseMs = options.retryBaseMs ?? 500;
  const deadLetters = deadLetterPrefix(durable);
  let stopped = false;
  let maxDeliver = 1;
  let messages: { stop(): void } | undefined;
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
      if (err instanceof UnusableEvent || attempt >= maxDeliver) {
        try {
          await deadLetter(m, reason);
        } catch (dlqErr) {
          // The dead letter could not be written (the broker went away): the message comes back.
          log.warn({ err: dlqErr instanceof Error ? dlqErr.message : String(dlqErr) }, "could not write the dead letter");
          m.nak(retryBaseMs);
        }
        return;
      }
      const delay = Math.min(retryBaseMs * 2 ** (attempt - 1), maxRetryDelayMs);
      log.warn({ subject: m.subject, attempt, retry_in_ms: delay, err: reason }, "event not handled; retrying");
      m.nak(delay);
    }
  };

  const run = (async () => {
    const broker = await link?.connected();
    while (!stopped && broker !== undefined) {
      try {
        const consumer = await broker.js.consumers.get(stream, durable);
        // -1: unlimited; then a failing message is retried until it is handled.
        const configured = (await consumer.info(true)).config.max_deliver ?? -1;
        maxDeliver = configured > 0 ? configured : Number.POSITIVE_INFINITY;
        const iterator = await consumer.consume({ max_messages: 64 });
        messages = iterator;
        // One at a time keeps each user's notifications in the order the events arrive.
        for await (const m of iterator) await handleMessage(m);
      } catch (err) {
        if (stopped) break;
        log.warn({ err: err instanceof Error ? err.message : String(err) }, "consumer interrupted; resuming");
        await new Promise((resolve) => setTimeout(resolve, 1_000));
      }
    }
  })();

  return {
    async stop() {
      stopped = true;
      messages?.stop();
      await run;
    },
  };
}
