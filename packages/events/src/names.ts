// The broker's names, shared by the mesh (which sets the broker up) and the services (which use
// it): a producer's stream, a consumer's durable name and dead letters, a service's inboxes.

/** The stream of every event `producer` publishes. */
export function streamName(producer: string): string {
  return `${producer.toUpperCase()}_EVENTS`;
}

/** The stream of the messages `service` could not handle. */
export function deadLetterStreamName(service: string): string {
  return `${service.toUpperCase()}_DEAD_LETTERS`;
}

/** Dead letters of `service` are published on `<prefix>.<original subject>`. */
export function deadLetterPrefix(service: string): string {
  return `deadletter.${service}`;
}

/** Inboxes (request replies: publish acks, pulled messages) are per service, so no service reads another's. */
export function inboxPrefix(service: string): string {
  return `_INBOX_${service}`;
}
