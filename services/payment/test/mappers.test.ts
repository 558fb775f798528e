import { describe, expect, it } from "@jest/globals";
import { timestampDate } from "@bufbuild/protobuf/wkt";
import { PaymentStatus } from "@shopmesh/gen/shop/payment/v1/payment_pb.js";
import { documentFromClaim, outcomeDocument, paymentFromDocuments, toPaymentMessage, type PaymentDocument } from "../src/store/mappers.js";
import type { PaymentClaim, StoredPayment } from "../src/store/payment-store.js";

const created = new Date("2030-06-15T12:00:00.123Z");
const later = new Date("2030-06-15T12:00:05.000Z");
const latest = new Date("2030-06-15T12:01:00.000Z");
const claim: PaymentClaim = {
  id: "pay_1",
  idempotencyKey: "order-1",
  amount: { currencyCode: "USD", minor: 1250n },
  cardBrand: "visa",
  cardLast4: "0002",
  createTime: created,
};
const doc = documentFromClaim(claim);
const none = { outcome: null, refund: null, void: null };
const declined = outcomeDocument(claim, { status: "DECLINED", declineReason: "insufficient funds" }, later);
const captured = outcomeDocument(claim, { status: "CAPTURED" }, later);
const payment = (status: StoredPayment["status"], updateTime: Date, more: Partial<StoredPayment> = {}): StoredPayment => ({
  ...claim,
  status,
  declineReason: "",
  voided: false,
  updateTime,
  ...more,
});

describe("payment mappers", () => {
  it("store a claim as a plain PENDING document, without the card", () => {
    expect(doc).toEqual({
      _id: "pay_1",
      idempotency_key: "order-1",
      amount: { currency_code: "USD", cents: 1250 },
      status: "PENDING",
      card_brand: "visa",
      card_last4: "0002",
      decline_reason: "",
      create_time: created,
      update_time: created,
    });
    expect(paymentFromDocuments({ payment: doc, ...none })).toEqual(payment("PENDING", created));
  });

  it("settle a payment by its first outcome, then its refund", () => {
    expect(paymentFromDocuments({ payment: doc, ...none, outcome: declined })).toEqual(
      payment("DECLINED", later, { declineReason: "insufficient funds" }),
    );
    expect(paymentFromDocuments({ payment: doc, ...none, outcome: captured })).toEqual(payment("CAPTURED", later));
    const refund = { _id: "pay_1", idempotency_key: "order-1", time: latest };
    expect(paymentFromDocuments({ payment: doc, ...none, outcome: captured, refund })).toEqual(payment("REFUNDED", latest));
  });

  it("void only a payment without an outcome; a voided key's capture stays CAPTURED until refunded", () => {
    const voided = { _id: "order-1", time: latest };
    expect(paymentFromDocuments({ payment: doc, ...none, void: voided })).toEqual(payment("VOIDED", latest, { voided: true }));
    expect(paymentFromDocuments({ payment: doc, ...none, outcome: captured, void: voided })).toEqual(
      payment("CAPTURED", later, { voided: true }),
    );
    expect(paymentFromDocuments({ payment: doc, ...none, outcome: declined, void: voided })).toMatchObject({ status: "DECLINED" });
  });

  it("read payments recorded with their outcome in the document as they were written", () => {
    const legacy = (status: PaymentDocument["status"], declineReason = ""): PaymentDocument => ({
      ...doc,
      status,
      decline_reason: declineReason,
      update_time: later,
    });
    expect(paymentFromDocuments({ payment: legacy("CAPTURED"), ...none })).toEqual(payment("CAPTURED", later));
    expect(paymentFromDocuments({ payment: legacy("DECLINED", "insufficient funds"), ...none })).toEqual(
      payment("DECLINED", later, { declineReason: "insufficient funds" }),
    );
    expect(paymentFromDocuments({ payment: legacy("REFUNDED"), ...none })).toEqual(payment("REFUNDED", later));
  });

  it("refuse a document with a status the service never writes", () => {
    expect(() => paymentFromDocuments({ payment: { ...doc, status: "LOST" as "PENDING" }, ...none })).toThrow(/unknown status/);
    expect(() => paymentFromDocuments({ payment: doc, ...none, outcome: { ...captured, status: "MAYBE" as "CAPTURED" } })).toThrow(
      /unknown status/,
    );
  });

  it("map to the contract's Payment", () => {
    const message = toPaymentMessage(payment("DECLINED", later, { declineReason: "insufficient funds" }));
    expect(message).toMatchObject({
      id: "pay_1",
      idempotencyKey: "order-1",
      amount: { currencyCode: "USD", units: 12n, nanos: 500_000_000 },
      status: PaymentStatus.DECLINED,
      cardBrand: "visa",
      cardLast4: "0002",
      declineReason: "insufficient funds",
    });
    expect(message.createTime && timestampDate(message.createTime)).toEqual(created);
    expect(toPaymentMessage(payment("PENDING", created)).status).toBe(PaymentStatus.PENDING);
    expect(toPaymentMessage(payment("VOIDED", latest)).status).toBe(PaymentStatus.VOIDED);
  });

  it("leave decline_reason empty unless DECLINED", () => {
    expect(toPaymentMessage(payment("REFUNDED", later, { declineReason: "insufficient funds" })).declineReason).toBe("");
  });
});
