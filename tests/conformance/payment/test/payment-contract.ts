// The contract of shop.payment.v1.PaymentService (proto/shop/payment/v1/payment.proto) as
// black-box cases over gRPC, with the test cards the contract documents: Charge once per key
// (replays, concurrent same-key charges, a declined card, a processor that is down, another
// amount), VoidCharge before and after a charge, Refund, GetPayment, and every promised error with
// its field path or precondition violation.
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { Code } from "@connectrpc/connect";
import { PaymentService, PaymentStatus } from "@shopmesh/gen/shop/payment/v1/payment_pb.js";
import { createGrpcClient, fieldViolations, type GrpcClient } from "@shopmesh/kit";
import { preconditionViolations, rejection, testCards } from "@shopmesh/testkit";

export interface PaymentTarget {
  /** host:port or unix:/path. */
  readonly address: string;
}

const usd = (units: bigint, nanos = 0) => ({ currencyCode: "USD", units, nanos });
const amount = usd(25n, 500_000_000);

async function invalid(promise: Promise<unknown>): Promise<{ code: Code; fields: string[] }> {
  const err = await rejection(promise);
  return { code: err.code, fields: fieldViolations(err).map((v) => v.field) };
}

const bad = (fields: string[]): { code: Code; fields: string[] } => ({ code: Code.InvalidArgument, fields });

/** Runs the contract's cases against the target `start` gives (called once, in beforeAll). */
export function paymentContract(start: () => Promise<PaymentTarget>, stop: () => Promise<void> = async () => undefined): void {
  let payments: GrpcClient<typeof PaymentService>;
  const run = randomUUID().slice(0, 8);
  const key = (name: string): string => `pay-${name}-${run}`;

  beforeAll(async () => {
    const target = await start();
    payments = createGrpcClient(PaymentService, target.address, { defaultTimeoutMs: 5_000 });
  }, 60_000);

  afterAll(async () => {
    payments?.close();
    await stop();
  });

  describe("Charge", () => {
    it("captures a good card, keeping only its brand and last four digits", async () => {
      const { payment } = await payments.charge({ idempotencyKey: key("ok"), amount, card: testCards.succeeds });
      expect(payment).toMatchObject({
        idempotencyKey: key("ok"),
        amount,
        status: PaymentStatus.CAPTURED,
        cardBrand: "visa",
        cardLast4: "4242",
        declineReason: "",
      });
      expect(payment?.id).not.toBe("");
      expect(payment?.createTime).toBeDefined();
    });

    it("charges once per key: a replay with the same amount returns the first payment, whatever the card", async () => {
      const first = await payments.charge({ idempotencyKey: key("replay"), amount, card: testCards.succeeds });
      const again = await payments.charge({ idempotencyKey: key("replay"), amount, card: testCards.declined });
      expect(again).toEqual(first);
    });

    it("makes one payment when ten charges of one key race", async () => {
      const responses = await Promise.all(
        Array.from({ length: 10 }, () => payments.charge({ idempotencyKey: key("race"), amount, card: testCards.succeeds })),
      );
      for (const response of responses) expect(response.payment?.id).toBe(responses[0]?.payment?.id);
      expect(new Set(responses.map((r) => r.payment?.status))).toEqual(new Set([PaymentStatus.CAPTURED]));
    });

    it("answers a declined card with a DECLINED payment, not an error, and a replay the same", async () => {
      const { payment } = await payments.charge({ idempotencyKey: key("declined"), amount, card: testCards.declined });
      expect(payment).toMatchObject({ status: PaymentStatus.DECLINED, declineReason: "insufficient funds", cardLast4: "0002" });
      expect((await payments.charge({ idempotencyKey: key("declined"), amount, card: testCards.succeeds })).payment).toEqual(payment);
    });

    it("answers UNAVAILABLE while the processor is down, charging nothing", async () => {
      const err = await rejection(payments.charge({ idempotencyKey: key("down"), amount, card: testCards.processorDown }));
      expect(err.code).toBe(Code.Unavailable);
      // Recorded PENDING, or not recorded at all: never charged.
      const status = await payments.getPayment({ lookup: { case: "idempotencyKey", value: key("down") } }).then(
        (r) => r.payment?.status,
        () => undefined,
      );
      expect([PaymentStatus.PENDING, undefined]).toContain(status);
    });

    it("refuses the key with another amount: FAILED_PRECONDITION IDEMPOTENCY", async () => {
      await payments.charge({ idempotencyKey: key("amount"), amount, card: testCards.succeeds });
      const err = await rejection(payments.charge({ idempotencyKey: key("amount"), amount: usd(26n), card: testCards.succeeds }));
      expect(err.code).toBe(Code.FailedPrecondition);
      expect(preconditionViolations(err)).toEqual([
        expect.objectContaining({ type: "IDEMPOTENCY", subject: `idempotency_key/${key("amount")}` }),
      ]);
    });

    it("answers bad input with INVALID_ARGUMENT naming each field", async () => {
      const good = { idempotencyKey: key("bad"), amount, card: testCards.succeeds };
      expect(await invalid(payments.charge({ ...good, idempotencyKey: "" }))).toEqual(bad(["idempotency_key"]));
      expect(await invalid(payments.charge({ ...good, idempotencyKey: "k".repeat(65) }))).toEqual(bad(["idempotency_key"]));
      expect(await invalid(payments.charge({ idempotencyKey: key("bad"), card: testCards.succeeds }))).toEqual(bad(["amount"]));
      expect(await invalid(payments.charge({ ...good, amount: usd(0n) }))).toEqual(bad(["amount.units"]));
      expect(await invalid(payments.charge({ ...good, amount: { ...amount, currencyCode: "usd" } }))).toEqual(
        bad(["amount.currency_code"]),
      );
      expect(await invalid(payments.charge({ ...good, amount: usd(1n, 5_000_000) }))).toEqual(bad(["amount.nanos"]));
      const card = testCards.succeeds;
      expect(await invalid(payments.charge({ ...good, card: { ...card, number: "4242 4242 4242 4241" } }))).toEqual(bad(["card.number"]));
      expect(await invalid(payments.charge({ ...good, card: { ...card, expMonth: 13 } }))).toEqual(bad(["card.exp_month"]));
      expect(await invalid(payments.charge({ ...good, card: { ...card, expYear: 30 } }))).toEqual(bad(["card.exp_year"]));
      expect(await invalid(payments.charge({ ...good, card: { ...card, expMonth: 12, expYear: 2020 } }))).toEqual(bad(["card.exp_year"]));
      expect(await invalid(payments.charge({ ...good, card: { ...card, cvc: "12" } }))).toEqual(bad(["card.cvc"]));
      const nothing = await rejection(payments.getPayment({ lookup: { case: "idempotencyKey", value: key("bad") } }));
      expect(nothing.code).toBe(Code.NotFound);
    });
  });

  describe("VoidCharge", () => {
    it("voids a key before any charge: no payment, and a later Charge is refused VOIDED", async () => {
      expect((await payments.voidCharge({ idempotencyKey: key("void-first") })).payment).toBeUndefined();
      const lookup = await rejection(payments.getPayment({ lookup: { case: "idempotencyKey", value: key("void-first") } }));
      expect(lookup.code).toBe(Code.NotFound);
      const err = await rejection(payments.charge({ idempotencyKey: key("void-first"), amount, card: testCards.succeeds }));
      expect(err.code).toBe(Code.FailedPrecondition);
      expect(preconditionViolations(err)).toEqual([
        expect.objectContaining({ type: "VOIDED", subject: `idempotency_key/${key("void-first")}` }),
      ]);
    });

    it("refunds a captured payment in full, and changes nothing more when voided again", async () => {
      await payments.charge({ idempotencyKey: key("void-captured"), amount, card: testCards.succeeds });
      const { payment } = await payments.voidCharge({ idempotencyKey: key("void-captured") });
      expect(payment?.status).toBe(PaymentStatus.REFUNDED);
      const again = await payments.voidCharge({ idempotencyKey: key("void-captured") });
      expect(again.payment?.status).toBe(PaymentStatus.REFUNDED);
      expect(again.payment?.id).toBe(payment?.id);
    });

    it("returns a declined payment unchanged", async () => {
      const { payment } = await payments.charge({ idempotencyKey: key("void-declined"), amount, card: testCards.declined });
      expect((await payments.voidCharge({ idempotencyKey: key("void-declined") })).payment).toEqual(payment);
    });

    it("answers an empty or long key with INVALID_ARGUMENT", async () => {
      expect(await invalid(payments.voidCharge({ idempotencyKey: "" }))).toEqual(bad(["idempotency_key"]));
      expect(await invalid(payments.voidCharge({ idempotencyKey: "k".repeat(65) }))).toEqual(bad(["idempotency_key"]));
    });
  });

  describe("Refund", () => {
    it("refunds a captured payment once; refunding again returns it unchanged", async () => {
      const { payment } = await payments.charge({ idempotencyKey: key("refund"), amount, card: testCards.succeeds });
      const refunded = await payments.refund({ paymentId: payment?.id ?? "" });
      expect(refunded.payment).toMatchObject({ id: payment?.id, status: PaymentStatus.REFUNDED, amount });
      expect((await payments.refund({ paymentId: payment?.id ?? "" })).payment?.status).toBe(PaymentStatus.REFUNDED);
      const replay = await payments.charge({ idempotencyKey: key("refund"), amount, card: testCards.succeeds });
      expect(replay.payment?.status).toBe(PaymentStatus.REFUNDED);
    });

    it("refuses a declined payment: FAILED_PRECONDITION STATE on the payment", async () => {
      const { payment } = await payments.charge({ idempotencyKey: key("refund-declined"), amount, card: testCards.declined });
      const err = await rejection(payments.refund({ paymentId: payment?.id ?? "" }));
      expect(err.code).toBe(Code.FailedPrecondition);
      expect(preconditionViolations(err)).toEqual([expect.objectContaining({ type: "STATE", subject: `payment/${payment?.id}` })]);
    });

    it("answers NOT_FOUND for an unknown payment and INVALID_ARGUMENT for an empty or long id", async () => {
      expect((await rejection(payments.refund({ paymentId: `no-such-${run}` }))).code).toBe(Code.NotFound);
      expect(await invalid(payments.refund({ paymentId: "" }))).toEqual(bad(["payment_id"]));
      expect(await invalid(payments.refund({ paymentId: "p".repeat(65) }))).toEqual(bad(["payment_id"]));
    });
  });

  describe("GetPayment", () => {
    it("finds a payment by its id and by its key", async () => {
      const { payment } = await payments.charge({ idempotencyKey: key("lookup"), amount, card: testCards.succeeds });
      expect((await payments.getPayment({ lookup: { case: "paymentId", value: payment?.id ?? "" } })).payment).toEqual(payment);
      expect((await payments.getPayment({ lookup: { case: "idempotencyKey", value: key("lookup") } })).payment).toEqual(payment);
    });

    it("answers NOT_FOUND for an unknown id or key, and INVALID_ARGUMENT for a missing or bad lookup", async () => {
      expect((await rejection(payments.getPayment({ lookup: { case: "paymentId", value: `no-such-${run}` } }))).code).toBe(Code.NotFound);
      expect((await rejection(payments.getPayment({ lookup: { case: "idempotencyKey", value: key("none") } }))).code).toBe(Code.NotFound);
      expect(await invalid(payments.getPayment({}))).toEqual(bad(["lookup"]));
      expect(await invalid(payments.getPayment({ lookup: { case: "paymentId", value: "" } }))).toEqual(bad(["payment_id"]));
      expect(await invalid(payments.getPayment({ lookup: { case: "idempotencyKey", value: "k".repeat(65) } }))).toEqual(
        bad(["idempotency_key"]),
      );
    });
  });
}
