// Explicit mapping between stream entries, domain records and protobuf messages.
import type { MessageInitShape } from "@bufbuild/protobuf";
import { timestampFromMs } from "@bufbuild/protobuf/wkt";
import { NotificationKind, type NotificationSchema } from "@shopmesh/gen/shop/notification/v1/notification_pb.js";
import type { NotificationRecord } from "./notification-store.js";
import { streamIdTimeMs } from "./stream-id.js";

/**
 * The fields of a notification's stream entry that describe it; the entry id carries its id and
 * time (append-script.ts adds the link to the previous entry).
 */
export type NotificationFields = { readonly kind: string; readonly text: string };

// Kinds are stored by name, so the stored data does not depend on the enum's numbers.
const storedKindNames = new Map<NotificationKind, string>([
  [NotificationKind.ORDER_CONFIRMED, "ORDER_CONFIRMED"],
  [NotificationKind.ORDER_CANCELLED, "ORDER_CANCELLED"],
  [NotificationKind.ORDER_SHIPPED, "ORDER_SHIPPED"],
  [NotificationKind.GENERIC, "GENERIC"],
]);
const kindsByStoredName = new Map([...storedKindNames].map(([kind, name]) => [name, kind]));

/** Whether `kind` is one a notification may have (known, and not UNSPECIFIED). */
export function isSendableKind(kind: NotificationKind): boolean {
  return storedKindNames.has(kind);
}

export function toNotificationFields(kind: NotificationKind, text: string): NotificationFields {
  const name = storedKindNames.get(kind);
  if (name === undefined) throw new Error(`notification kind ${kind} cannot be stored`);
  return { kind: name, text };
}

/**
 * The record of a stream entry. A kind this version does not know (written by a newer one)
 * reads as GENERIC, the contract's "anything else", rather than failing the whole page.
 */
export function recordFromEntry(userId: string, id: string, fields: Readonly<Record<string, string | undefined>>): NotificationRecord {
  return {
    id,
    userId,
    kind: kindsByStoredName.get(fields["kind"] ?? "") ?? NotificationKind.GENERIC,
    text: fields["text"] ?? "",
    createTimeMs: streamIdTimeMs(id),
  };
}

export function toNotificationMessage(record: NotificationRecord): MessageInitShape<typeof NotificationSchema> {
  return {
    id: record.id,
    userId: record.userId,
    kind: record.kind,
    text: record.text,
    createTime: timestampFromMs(record.createTimeMs),
  };
}
