// How an event travels: protobuf binary as the message body, on the subject named like its type,
// with the CloudEvents attributes in headers (the binary content mode of CloudEvents' NATS
// binding), so that a consumer in any language can tell what it holds before decoding it.
import { headers, type MsgHdrs } from "@nats-io/transport-node";

export const contentType = "application/protobuf";

/** An event ready to publish: everything the outbox stored. */
export interface OutgoingEvent {
  /** The event id (EventMeta.event_id): also the broker's message id, which drops a duplicate publish. */
  readonly id: string;
  /** Full message type name, e.g. shop.order.v1.OrderConfirmed; also its subject. */
  readonly type: string;
  readonly data: Uint8Array;
  readonly time: Date;
  /** Trace context (B3 headers) of the state change that made the event. */
  readonly trace: Readonly<Record<string, string>>;
}

export const headerNames = {
  specVersion: "ce-specversion",
  id: "ce-id",
  type: "ce-type",
  source: "ce-source",
  time: "ce-time",
  contentType: "content-type",
} as const;

/** The headers of `event` published by `source` (the publishing service's name), with `trace` (the publish span's context). */
export function eventHeaders(event: OutgoingEvent, source: string, trace: Readonly<Record<string, string>>): MsgHdrs {
  const h = headers();
  h.set(headerNames.specVersion, "1.0");
  h.set(headerNames.id, event.id);
  h.set(headerNames.type, event.type);
  h.set(headerNames.source, source);
  h.set(headerNames.time, event.time.toISOString());
  h.set(headerNames.contentType, contentType);
  for (const [key, value] of Object.entries(trace)) h.set(key, value);
  return h;
}

/** The headers of a received message as a plain record (lower-cased names), for the trace propagator. */
export function headerRecord(h: MsgHdrs | undefined): Record<string, string> {
  const record: Record<string, string> = {};
  if (h === undefined) return record;
  for (const key of h.keys()) record[key.toLowerCase()] = h.get(key);
  return record;
}
