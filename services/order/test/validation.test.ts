// Request checks as plain functions: addresses, cards, ids and page sizes.
import { describe, expect, it } from "@jest/globals";
import { create } from "@bufbuild/protobuf";
import { AddressSchema } from "@shopmesh/gen/shop/common/v1/common_pb.js";
import { PaymentCardSchema } from "@shopmesh/gen/shop/payment/v1/payment_pb.js";
import { Violations } from "@shopmesh/kit";
import { checkCard, luhnValid } from "../src/card.js";
import { checkAddress, checkOrderId, checkReason, checkRequestId, pageSize } from "../src/validation.js";

const fields = (fill: (v: Violations) => void): string[] => {
  const v = new Violations();
  fill(v);
  if (v.empty) return [];
  const err = v.error();
  return err.rawMessage.split("; ").map((part) => part.replace(/^invalid ([^:]+):.*$/, "$1"));
};

const goodAddress = {
  recipientName: "Ada Lovelace",
  streetLines: ["1 Market St"],
  city: "San Francisco",
  postalCode: "94103",
  regionCode: "US",
};
const address = (patch: Partial<typeof goodAddress>) => create(AddressSchema, { ...goodAddress, ...patch });

describe("checkAddress", () => {
  const check = (a: ReturnType<typeof address> | undefined) => fields((v) => checkAddress(v, "shipping_address", a));

  it("accepts a valid address", () => {
    expect(check(address({}))).toEqual([]);
    expect(check(address({ postalCode: "94103-1234" }))).toEqual([]);
    expect(check(address({ regionCode: "DE", postalCode: "10115" }))).toEqual([]);
    expect(check(address({ regionCode: "HK", postalCode: "" }))).toEqual([]);
    expect(check(address({ streetLines: ["a", "b", "c"], recipientName: "x".repeat(100) }))).toEqual([]);
    // Characters are code points: 100 emoji are 100 characters.
    expect(check(address({ recipientName: "😀".repeat(100) }))).toEqual([]);
  });

  it("names every bad field", () => {
    expect(check(undefined)).toEqual(["shipping_address"]);
    expect(check(address({ recipientName: "" }))).toEqual(["shipping_address.recipient_name"]);
    expect(check(address({ recipientName: "   " }))).toEqual(["shipping_address.recipient_name"]);
    expect(check(address({ recipientName: "😀".repeat(101) }))).toEqual(["shipping_address.recipient_name"]);
    expect(check(address({ streetLines: [] }))).toEqual(["shipping_address.street_lines"]);
    expect(check(address({ streetLines: ["a", "b", "c", "d"] }))).toEqual(["shipping_address.street_lines"]);
    expect(check(address({ streetLines: ["a", " "] }))).toEqual(["shipping_address.street_lines[1]"]);
    expect(check(address({ streetLines: ["x".repeat(101)] }))).toEqual(["shipping_address.street_lines[0]"]);
    expect(check(address({ city: "" }))).toEqual(["shipping_address.city"]);
    expect(check(address({ postalCode: "" }))).toEqual(["shipping_address.postal_code"]);
    expect(check(address({ postalCode: "9410" }))).toEqual(["shipping_address.postal_code"]);
    expect(check(address({ postalCode: "94103-12" }))).toEqual(["shipping_address.postal_code"]);
    expect(check(address({ regionCode: "DE", postalCode: "x".repeat(21) }))).toEqual(["shipping_address.postal_code"]);
    expect(check(address({ regionCode: "DE", postalCode: "10_115" }))).toEqual(["shipping_address.postal_code"]);
    expect(check(address({ regionCode: "us" }))).toEqual(["shipping_address.region_code"]);
    expect(check(address({ regionCode: "" }))).toEqual(["shipping_address.region_code"]);
    // Two uppercase letters, but not an assigned code (UK is GB; XK and EU are not assigned).
    expect(check(address({ regionCode: "UK", postalCode: "" }))).toEqual(["shipping_address.region_code"]);
    expect(check(address({ regionCode: "XK", postalCode: "" }))).toEqual(["shipping_address.region_code"]);
    expect(check(address({ recipientName: "", city: "", regionCode: "ZZ" }))).toEqual([
      "shipping_address.recipient_name",
      "shipping_address.city",
      "shipping_address.region_code",
    ]);
  });
});

describe("checkCard", () => {
  const now = new Date(Date.UTC(2030, 5, 15)); // June 2030
  const card = (patch: Record<string, unknown>) =>
    create(PaymentCardSchema, { number: "4242 4242 4242 4242", expMonth: 12, expYear: 2031, cvc: "123", ...patch });
  const check = (c: ReturnType<typeof card> | undefined) => fields((v) => checkCard(v, "card", c, now));

  it("accepts valid cards, with or without spaces", () => {
    expect(check(card({}))).toEqual([]);
    expect(check(card({ number: "4000000000000002", cvc: "1234" }))).toEqual([]);
    // Valid through the last day of the expiry month.
    expect(check(card({ expMonth: 6, expYear: 2030 }))).toEqual([]);
  });

  it("implements the Luhn check", () => {
    expect(luhnValid("4242424242424242")).toBe(true);
    expect(luhnValid("4000000000000119")).toBe(true);
    expect(luhnValid("4242424242424241")).toBe(false);
    expect(luhnValid("")).toBe(false);
  });

  it("names every bad field", () => {
    expect(check(undefined)).toEqual(["card"]);
    expect(check(card({ number: "4242 4242 4242 4241" }))).toEqual(["card.number"]);
    expect(check(card({ number: "4242-4242-4242-4242" }))).toEqual(["card.number"]);
    expect(check(card({ number: "424242424242" }))).toEqual(["card.number"]);
    expect(check(card({ number: "4".repeat(20) }))).toEqual(["card.number"]);
    expect(check(card({ number: "" }))).toEqual(["card.number"]);
    expect(check(card({ expMonth: 0 }))).toEqual(["card.exp_month"]);
    expect(check(card({ expMonth: 13 }))).toEqual(["card.exp_month"]);
    expect(check(card({ expYear: 31 }))).toEqual(["card.exp_year"]);
    expect(check(card({ cvc: "12" }))).toEqual(["card.cvc"]);
    expect(check(card({ cvc: "12a" }))).toEqual(["card.cvc"]);
    expect(check(card({ number: "1", expMonth: 0, expYear: 0, cvc: "" }))).toEqual([
      "card.number",
      "card.exp_month",
      "card.exp_year",
      "card.cvc",
    ]);
  });

  it("rejects expired cards on the field to correct", () => {
    expect(check(card({ expMonth: 5, expYear: 2030 }))).toEqual(["card.exp_month"]);
    expect(check(card({ expMonth: 12, expYear: 2029 }))).toEqual(["card.exp_year"]);
  });
});

describe("ids, reasons and page sizes", () => {
  it("checks request ids: 1..64 of A-Z, a-z, 0-9, '-', '_'", () => {
    expect(fields((v) => checkRequestId(v, "request_id", "a-B_9"))).toEqual([]);
    expect(fields((v) => checkRequestId(v, "request_id", "x".repeat(64)))).toEqual([]);
    for (const bad of ["", "x".repeat(65), "a b", "ä", "a.b"]) {
      expect(fields((v) => checkRequestId(v, "request_id", bad))).toEqual(["request_id"]);
    }
  });

  it("checks order ids and reasons by code points", () => {
    expect(fields((v) => checkOrderId(v, "order_id", "😀".repeat(64)))).toEqual([]);
    expect(fields((v) => checkOrderId(v, "order_id", ""))).toEqual(["order_id"]);
    expect(fields((v) => checkOrderId(v, "order_id", "x".repeat(65)))).toEqual(["order_id"]);
    expect(fields((v) => checkReason(v, "reason", ""))).toEqual([]);
    expect(fields((v) => checkReason(v, "reason", "😀".repeat(200)))).toEqual([]);
    expect(fields((v) => checkReason(v, "reason", "x".repeat(201)))).toEqual(["reason"]);
  });

  it("defaults and caps page sizes, and rejects negative ones", () => {
    const size = (n: number) => pageSize(new Violations(), "page_size", n);
    expect([0, 1, 20, 100, 101, 5_000].map(size)).toEqual([20, 1, 20, 100, 100, 100]);
    expect(fields((v) => pageSize(v, "page_size", -1))).toEqual(["page_size"]);
  });
});
