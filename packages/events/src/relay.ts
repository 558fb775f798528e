// The outbox relay: publishes the events a service recorded beside its state changes, then marks
// them published in its store. A new event is published at once (kick); a sweep every interval
// picks up the ones that were not (the broker was down, the process died between its write and
// the publish, another replica recorded them). An event may be published twice (the mark was
// lost, two replicas swept it at once): the broker drops a repeat of its id within its duplicate
// window, and consumers dedupe by event id beyond that. It is never lost.
import type { BackgroundLoop, Logger } from "@shopmesh/kit";
import { eventHeaders, type OutgoingEvent } from "./envelope.js";
import type { BrokerLink } from "./link.js";
import { inPublishSpan } from "./trace.js";

export interface Outbox<E extends OutgoingEvent> {
  /** Events recorded before `before` and not marked published, oldest first, at most `limit`. */
  pending(before: Date, limit: number): Promise<E[]>;
  markPublished(event: E): Promise<void>;
}

export interface RelayOptions<E extends OutgoingEvent> {
  readonly outbox: Outbox<E>;
  readonly link: BrokerLink | undefined;
  /** The publishing service's name (the CloudEvents source). */
  readonly source: string;
  readonly intervalMs: number;
  readonly logger: Logger;
  readonly clock?: () => number;
}

export interface Relay<E extends OutgoingEvent> extends BackgroundLoop {
  /** Publishes a just recorded event now, in the background. */
  kick(event: E): void;
}

const sweepBatch = 100;
/** A sweep leaves events younger than this to the kick of the process that recorded them. */
const graceMs = 2_000;
const sweepParallel = 8;

export function startOutboxRelay<E extends OutgoingEvent>(options: RelayOptions<E>): Relay<E> {
  const { outbox, link, source, logger } = options;
  const clock = options.clock ?? Date.now;
  const inFlight = new Map<string, Promise<boolean>>();
  let stopped = false;
  let warned = false;

  /** Publishes and marks `event`; false when it stays pending (no broker, a failure). */
  const publish = (event: E): Promise<boolean> => {
    const running = inFlight.get(event.id);
    if (running !== undefined) return running;
    const broker = link?.current();
    // While the broker is away the event stays in the outbox; the sweep publishes it once it is back.
    if (broker === undefined || link?.up() !== true) return Promise.resolve(false);
    const work = (async () => {
      try {
        await inPublishSpan(event.type, event.trace, (trace) =>
          broker.js.publish(event.type, event.data, { msgID: event.id, headers: eventHeaders(event, source, trace) }),
        );
        await outbox.markPublished(event);
        warned = false;
        return true;
      } catch (err) {
        // Once per outage, not once per event: the sweep tries again.
        if (!warned) logger.warn({ event_id: event.id, err: err instanceof Error ? err.message : String(err) }, "event not published yet");
        warned = true;
        return false;
      } finally {
        inFlight.delete(event.id);
      }
    })();
    inFlight.set(event.id, work);
    return work;
  };

  const sweep = async (): Promise<void> => {
    // Nothing to do without a broker, and no reason to read the store for it.
    if (link?.up() !== true) return;
    try {
      const pending = await outbox.pending(new Date(clock() - graceMs), sweepBatch);
      // A few at a time (events of different orders have no order among them). One that fails
      // does not hold the others back; once the broker is gone again, the rest wait for the next sweep.
      for (let i = 0; i < pending.length && !stopped && link?.up() === true; i += sweepParallel) {
        await Promise.all(pending.slice(i, i + sweepParallel).map(publish));
      }
    } catch (err) {
      logger.warn({ err: err instanceof Error ? err.message : String(err) }, "outbox sweep failed");
    }
  };

  // One sweep at a time: a slow one delays the next instead of running beside it.
  let sweeping: Promise<void> = Promise.resolve();
  const timer = setInterval(() => {
    sweeping = sweeping.then(sweep);
  }, options.intervalMs);
  timer.unref();

  return {
    kick(event) {
      if (!stopped) void publish(event);
    },
    async stop() {
      stopped = true;
      clearInterval(timer);
      await sweeping;
      await Promise.all(inFlight.values());
    },
  };
}
