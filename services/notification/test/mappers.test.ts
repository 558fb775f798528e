// Stream ids and the entry ↔ record ↔ message mappers as plain functions.
import { describe, expect, it } from "@jest/globals";
import { timestampMs } from "@bufbuild/protobuf/wkt";
import { NotificationKind } from "@shopmesh/gen/shop/notification/v1/notification_pb.js";
import { isSendableKind, recordFromEntry, toNotificationFields, toNotificationMessage } from "../src/store/mappers.js";
import { compareStreamIds, isStreamId, parseStreamId, streamIdTimeMs } from "../src/store/stream-id.js";

describe("stream ids", () => {
  it("parse ids Redis issues and nothing else", () => {
    expect(parseStreamId("1700000000000-7")).toEqual({ ms: 1700000000000n, seq: 7n });
    expect(isStreamId("18446744073709551615-18446744073709551615")).toBe(true);
    for (const bad of ["", "1", "1-", "-1", "1-2-3", "a-1", " 1-0", "1-0 ", "18446744073709551616-0", "1-0\n"]) {
      expect(isStreamId(bad)).toBe(false);
    }
  });

  it("compare by time, then by sequence, numerically", () => {
    expect(compareStreamIds("9-0", "10-0")).toBeLessThan(0);
    expect(compareStreamIds("10-2", "10-10")).toBeLessThan(0);
    expect(compareStreamIds("10-10", "10-2")).toBeGreaterThan(0);
    expect(compareStreamIds("10-2", "10-2")).toBe(0);
  });

  it("tell when the entry was created", () => {
    expect(streamIdTimeMs("1700000000123-4")).toBe(1700000000123);
  });
});

describe("mappers", () => {
  it("store kinds by name and read them back", () => {
    for (const kind of [
      NotificationKind.ORDER_CONFIRMED,
      NotificationKind.ORDER_CANCELLED,
      NotificationKind.ORDER_SHIPPED,
      NotificationKind.GENERIC,
    ]) {
      const fields = toNotificationFields(kind, "hi");
      expect(recordFromEntry("u", "1-0", fields).kind).toBe(kind);
    }
    expect(toNotificationFields(NotificationKind.ORDER_SHIPPED, "hi")).toEqual({ kind: "ORDER_SHIPPED", text: "hi" });
  });

  it("accept only kinds a notification may have", () => {
    expect(isSendableKind(NotificationKind.GENERIC)).toBe(true);
    expect(isSendableKind(NotificationKind.UNSPECIFIED)).toBe(false);
    expect(isSendableKind(42 as NotificationKind)).toBe(false);
    expect(() => toNotificationFields(NotificationKind.UNSPECIFIED, "hi")).toThrow();
  });

  it("read a kind written by a newer version as GENERIC", () => {
    expect(recordFromEntry("u", "1-0", { kind: "PRICE_DROPPED", text: "hi" }).kind).toBe(NotificationKind.GENERIC);
  });

  it("map a record to a message with its create time", () => {
    const record = recordFromEntry("u-1", "1700000000123-0", { kind: "ORDER_CONFIRMED", text: "done" });
    const message = toNotificationMessage(record);
    expect(message).toMatchObject({ id: "1700000000123-0", userId: "u-1", kind: NotificationKind.ORDER_CONFIRMED, text: "done" });
    expect(timestampMs(message.createTime as Parameters<typeof timestampMs>[0])).toBe(1700000000123);
  });
});
