import { describe, expect, it } from "@jest/globals";
import { timestampDate } from "@bufbuild/protobuf/wkt";
import { PaymentStatus } from "@shopmesh/gen/shop/payment/v1/payment_pb.js";
import { documentFromPayment, paymentFromDocument, toPaymentMessage } from "../src/store/mappers.js";
import type { StoredPayment } from "../src/store/payment-store.js";

const created = new Date("2030-06-15T12:00:00.123Z");
const payment: StoredPayment = {
  id: "pay_1",
  idempotencyKey: "order-1",
  amount: { currencyCode: "USD", minor: 1250n },
  status: "DECLINED",
  cardBrand: "visa",
  cardLast4: "0002",
  declineReason: "insufficient funds",
  createTime: created,
  updateTime: created,
};

describe("payment mappers", () => {
  it("store a payment as a plain document and read it back unchanged", () => {
    const doc = documentFromPayment(payment);
    expect(doc).toEqual({
      _id: "pay_1",
      idempotency_key: "order-1",
      amount: { currency_code: "USD", cents: 1250 },
      status: "DECLINED",
      card_brand: "visa",
      card_last4: "0002",
      decline_reason: "insufficient funds",
      create_time: created,
      update_time: created,
    });
    expect(paymentFromDocument(doc)).toEqual(payment);
  });

  it("refuse a document with a status the service never writes", () => {
    expect(() => paymentFromDocument({ ...documentFromPayment(payment), status: "PENDING" as "CAPTURED" })).toThrow(/unknown status/);
  });

  it("map to the contract's Payment", () => {
    const message = toPaymentMessage(payment);
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
  });

  it("leave decline_reason empty unless DECLINED", () => {
    expect(toPaymentMessage({ ...payment, status: "REFUNDED" }).declineReason).toBe("");
  });
});
