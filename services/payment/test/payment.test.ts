// The payment service against a real FerretDB (or MongoDB), through its gRPC API, a raw driver
// view of the stored documents, the real grpcurl and grpc.health.v1.
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import type { MessageInitShape } from "@bufbuild/protobuf";
import { timestampFromMs } from "@bufbuild/protobuf/wkt";
import { Code } from "@connectrpc/connect";
import { MongoClient, type Collection, type Document } from "mongodb";
import { PreconditionFailureSchema } from "@shopmesh/gen/google/rpc/error_details_pb.js";
import {
  PaymentService,
  PaymentStatus,
  type ChargeRequestSchema,
  type GetPaymentRequestSchema,
  type Payment,
} from "@shopmesh/gen/shop/payment/v1/payment_pb.js";
import { createGrpcClient, fieldViolations, type GrpcClient, type RunningService } from "@shopmesh/kit";
import { grpcurl, healthClient, rejection, startMongo, testCards, type HealthProbe, type TestStore } from "@shopmesh/testkit";
import { startPayment } from "../src/app.js";
import { loadConfig } from "../src/config.js";
import { paymentIdFor } from "../src/payment-id.js";
import { captureLogs } from "@shopmesh/testkit";

type ChargeInit = MessageInitShape<typeof ChargeRequestSchema>;
type GetPaymentInit = MessageInitShape<typeof GetPaymentRequestSchema>;

// The service's "now": mid-June 2030, so a card expiring 06/2030 is valid and 05/2030 is not.
const june2030 = Date.parse("2030-06-15T12:00:00Z");
let nowMs = june2030;

// The test cards, expiring on the last valid month by the clock above.
const visa = { number: testCards.succeeds.number, expMonth: 6, expYear: 2030, cvc: "737" };
const declined = { ...visa, number: testCards.declined.number };
const processorDown = { ...visa, number: testCards.processorDown.number };
const mastercard = { ...visa, number: "5555555555554444", cvc: "4821" };
const amex = { ...visa, number: "3782 822463 10005", cvc: "9317" };
/** Every card number and CVC sent in this file, for the "never stored or logged" checks. */
const cardSecrets = {
  numbers: [visa, declined, processorDown, mastercard, amex].flatMap((c) => [c.number, c.number.replaceAll(" ", "")]),
  cvcs: [visa.cvc, mastercard.cvc, amex.cvc],
};

const usd = (units: bigint, nanos = 0) => ({ currencyCode: "USD", units, nanos });

/** Every string in a document or log line, keys included. */
function stringsIn(value: unknown): string[] {
  if (typeof value === "string") return [value];
  if (Array.isArray(value)) return value.flatMap(stringsIn);
  if (value === null || typeof value !== "object" || value instanceof Date) return [];
  return Object.entries(value).flatMap(([key, v]) => [key, ...stringsIn(v)]);
}

describe("payment service", () => {
  let mongo: TestStore;
  let app: RunningService;
  let client: GrpcClient<typeof PaymentService>;
  let raw: MongoClient;
  let stored: Collection<Document>;
  let logs: ReturnType<typeof captureLogs>;

  const charge = async (key: string, card = visa, amount = usd(12n, 500_000_000)): Promise<Payment> => {
    const res = await client.charge({ idempotencyKey: key, amount, card });
    if (res.payment === undefined) throw new Error("Charge answered without a payment");
    return res.payment;
  };

  beforeAll(async () => {
    mongo = await startMongo();
    logs = captureLogs();
    const config = loadConfig({
      GRPC_PORT: "0",
      MONGO_URL: mongo.url,
      MONGO_DB: "payments_test",
      PROBE_INTERVAL_MS: "100",
      SHUTDOWN_GRACE_MS: "1000",
    });
    app = await startPayment(config, logs.logger, { clock: () => nowMs });
    client = createGrpcClient(PaymentService, app.server.address, { defaultTimeoutMs: 10_000 });
    raw = new MongoClient(mongo.url, { serverSelectionTimeoutMS: 2_000 });
    stored = raw.db("payments_test").collection("payments");
  });

  afterAll(async () => {
    client?.close();
    await app?.stop();
    await raw?.close();
    await mongo?.dispose();
  });

  describe("Charge", () => {
    it("captures a good card, keeping its brand and last four digits", async () => {
      const payment = await charge("order-capture");
      expect(payment).toMatchObject({
        idempotencyKey: "order-capture",
        amount: { currencyCode: "USD", units: 12n, nanos: 500_000_000 },
        status: PaymentStatus.CAPTURED,
        cardBrand: "visa",
        cardLast4: "4242",
        declineReason: "",
        createTime: timestampFromMs(june2030),
        updateTime: timestampFromMs(june2030),
      });
      expect(payment.id).toBe(paymentIdFor("order-capture"));
    });

    it("derives other brands from the number", async () => {
      expect(await charge("order-mastercard", mastercard)).toMatchObject({
        status: PaymentStatus.CAPTURED,
        cardBrand: "mastercard",
        cardLast4: "4444",
      });
      expect(await charge("order-amex", amex)).toMatchObject({ status: PaymentStatus.CAPTURED, cardBrand: "amex", cardLast4: "0005" });
    });

    it("answers the decline card with a DECLINED payment and a reason, and a replay stays declined", async () => {
      const payment = await charge("order-declined", declined);
      expect(payment).toMatchObject({ status: PaymentStatus.DECLINED, declineReason: "insufficient funds", cardLast4: "0002" });
      const replay = await charge("order-declined", visa);
      expect(replay).toMatchObject({ id: payment.id, status: PaymentStatus.DECLINED, declineReason: "insufficient funds" });
    });

    it("fails with UNAVAILABLE for the processor-down card, charging nothing: the payment stays PENDING", async () => {
      const err = await rejection(charge("order-processor-down", processorDown));
      expect(err.code).toBe(Code.Unavailable);
      // Recorded before the processor was asked, and not settled: its outcome is not known here.
      const { payment: pending } = await client.getPayment({ lookup: { case: "idempotencyKey", value: "order-processor-down" } });
      expect(pending).toMatchObject({ status: PaymentStatus.PENDING, cardLast4: "0119", declineReason: "" });
      const refund = await rejection(client.refund({ paymentId: pending?.id ?? "" }));
      expect(refund.code).toBe(Code.FailedPrecondition);
      // The same key still works once the processor does, and settles that payment.
      expect(await charge("order-processor-down", visa)).toMatchObject({ id: pending?.id, status: PaymentStatus.CAPTURED });
      expect(await stored.countDocuments({ idempotency_key: "order-processor-down" })).toBe(1);
    });

    it("replays, voids and refunds a payment stored under an id not made of its key, as payments once were", async () => {
      const first = await charge("order-older");
      const doc = await stored.findOne({ idempotency_key: "order-older" });
      await stored.deleteOne({ idempotency_key: "order-older" });
      await stored.insertOne({ ...doc, _id: "pay_older" as never });
      expect(await charge("order-older")).toMatchObject({ id: "pay_older", status: PaymentStatus.CAPTURED, createTime: first.createTime });
      expect(await stored.countDocuments({ idempotency_key: "order-older" })).toBe(1);
      const { payment } = await client.voidCharge({ idempotencyKey: "order-older" });
      expect(payment).toMatchObject({ id: "pay_older", status: PaymentStatus.REFUNDED });
    });

    it("returns the first payment when the same key is charged again", async () => {
      const first = await charge("order-twice");
      const second = await charge("order-twice", mastercard);
      expect(second).toEqual(first);
      expect(await stored.countDocuments({ idempotency_key: "order-twice" })).toBe(1);
    });

    it("records exactly one payment when ten charges with one key race", async () => {
      const payments = await Promise.all(Array.from({ length: 10 }, () => charge("order-race")));
      expect(new Set(payments.map((p) => p.id)).size).toBe(1);
      expect(payments.every((p) => p.status === PaymentStatus.CAPTURED)).toBe(true);
      expect(await stored.countDocuments({ idempotency_key: "order-race" })).toBe(1);
    });

    it("refuses the same key with a different amount or currency: FAILED_PRECONDITION", async () => {
      await charge("order-amount", visa, usd(10n));
      for (const amount of [usd(11n), usd(10n, 10_000_000), { currencyCode: "EUR", units: 10n, nanos: 0 }]) {
        const err = await rejection(charge("order-amount", visa, amount));
        expect(err.code).toBe(Code.FailedPrecondition);
        expect(err.findDetails(PreconditionFailureSchema)[0]?.violations).toEqual([
          expect.objectContaining({ type: "IDEMPOTENCY", subject: "idempotency_key/order-amount" }),
        ]);
      }
      expect(await stored.countDocuments({ idempotency_key: "order-amount" })).toBe(1);
    });

    const good: ChargeInit = { idempotencyKey: "order-bad-input", amount: usd(10n), card: visa };
    it.each<[string, ChargeInit, string[]]>([
      ["an empty key", { ...good, idempotencyKey: "" }, ["idempotency_key"]],
      ["a key of 65 characters", { ...good, idempotencyKey: "k".repeat(65) }, ["idempotency_key"]],
      ["no amount", { idempotencyKey: "order-bad-input", card: visa }, ["amount"]],
      ["a lowercase currency", { ...good, amount: { currencyCode: "usd", units: 10n } }, ["amount.currency_code"]],
      ["an unknown currency", { ...good, amount: { currencyCode: "XYZ", units: 10n } }, ["amount.currency_code"]],
      ["a zero amount", { ...good, amount: usd(0n) }, ["amount.units"]],
      ["a negative amount", { ...good, amount: usd(-5n) }, ["amount.units"]],
      ["a fraction of a cent", { ...good, amount: usd(1n, 5_000_000) }, ["amount.nanos"]],
      ["no card", { idempotencyKey: "order-bad-input", amount: usd(10n) }, ["card"]],
      ["a number failing Luhn", { ...good, card: { ...visa, number: "4242 4242 4242 4241" } }, ["card.number"]],
      ["a number with dashes", { ...good, card: { ...visa, number: "4242-4242-4242-4242" } }, ["card.number"]],
      ["a number of 12 digits", { ...good, card: { ...visa, number: "4242 4242 4242" } }, ["card.number"]],
      ["no number", { ...good, card: { ...visa, number: "" } }, ["card.number"]],
      ["month 13", { ...good, card: { ...visa, expMonth: 13 } }, ["card.exp_month"]],
      ["month 0", { ...good, card: { ...visa, expMonth: 0 } }, ["card.exp_month"]],
      ["a two-digit year", { ...good, card: { ...visa, expYear: 30 } }, ["card.exp_year"]],
      ["a card that expired last month", { ...good, card: { ...visa, expMonth: 5, expYear: 2030 } }, ["card.exp_month"]],
      ["a card that expired last year", { ...good, card: { ...visa, expMonth: 12, expYear: 2029 } }, ["card.exp_year"]],
      ["a CVC of 2 digits", { ...good, card: { ...visa, cvc: "12" } }, ["card.cvc"]],
      ["a CVC of 5 digits", { ...good, card: { ...visa, cvc: "12345" } }, ["card.cvc"]],
      ["a CVC with a letter", { ...good, card: { ...visa, cvc: "12a" } }, ["card.cvc"]],
      [
        "everything wrong at once",
        { idempotencyKey: "", amount: usd(0n), card: { number: "1234", expMonth: 13, expYear: 2030, cvc: "" } },
        ["idempotency_key", "amount.units", "card.number", "card.exp_month", "card.cvc"],
      ],
    ])("answers %s with INVALID_ARGUMENT naming the field", async (_name, request, fields) => {
      const err = await rejection(client.charge(request));
      expect(err.code).toBe(Code.InvalidArgument);
      expect(fieldViolations(err).map((v) => v.field)).toEqual(fields);
    });

    it("records nothing for a bad request and never echoes the card number", async () => {
      const err = await rejection(client.charge({ ...good, card: { ...visa, number: "4242 4242 4242 4241" } }));
      expect(err.rawMessage).toBe("invalid card.number: is not a valid card number (Luhn check failed)");
      expect(await stored.countDocuments({ idempotency_key: "order-bad-input" })).toBe(0);
    });
  });

  describe("Refund", () => {
    it("refunds a captured payment, then returns it unchanged", async () => {
      const payment = await charge("order-refund");
      nowMs = june2030 + 60_000;
      const refunded = (await client.refund({ paymentId: payment.id })).payment;
      expect(refunded).toMatchObject({ id: payment.id, status: PaymentStatus.REFUNDED, createTime: payment.createTime });
      expect(refunded?.updateTime).toEqual(timestampFromMs(june2030 + 60_000));
      nowMs = june2030 + 120_000;
      const again = (await client.refund({ paymentId: payment.id })).payment;
      expect(again).toEqual(refunded);
      // A replayed charge returns the payment as it is now.
      expect(await charge("order-refund")).toEqual(refunded);
      nowMs = june2030;
    });

    it("answers every one of racing refunds with the one REFUNDED payment", async () => {
      const payment = await charge("order-refund-race");
      const results = await Promise.all(Array.from({ length: 5 }, () => client.refund({ paymentId: payment.id })));
      expect(results.map((r) => r.payment?.status)).toEqual(Array(5).fill(PaymentStatus.REFUNDED));
      expect(new Set(results.map((r) => r.payment?.id))).toEqual(new Set([payment.id]));
    });

    it("refuses a declined payment: FAILED_PRECONDITION", async () => {
      const payment = await charge("order-refund-declined", declined);
      const err = await rejection(client.refund({ paymentId: payment.id }));
      expect(err.code).toBe(Code.FailedPrecondition);
      expect(err.findDetails(PreconditionFailureSchema)[0]?.violations).toEqual([
        expect.objectContaining({ type: "STATE", subject: `payment/${payment.id}` }),
      ]);
      expect((await client.getPayment({ lookup: { case: "paymentId", value: payment.id } })).payment?.status).toBe(PaymentStatus.DECLINED);
    });

    it("answers an unknown payment with NOT_FOUND naming it", async () => {
      const err = await rejection(client.refund({ paymentId: "pay_nope" }));
      expect(err.code).toBe(Code.NotFound);
      expect(err.rawMessage).toBe("payment pay_nope not found");
    });

    it.each([
      ["an empty id", ""],
      ["an id of 65 characters", "p".repeat(65)],
    ])("answers %s with INVALID_ARGUMENT on payment_id", async (_name, paymentId) => {
      const err = await rejection(client.refund({ paymentId }));
      expect(err.code).toBe(Code.InvalidArgument);
      expect(fieldViolations(err).map((v) => v.field)).toEqual(["payment_id"]);
    });
  });

  describe("GetPayment", () => {
    it("finds a payment by id and by idempotency key", async () => {
      const payment = await charge("order-get");
      expect((await client.getPayment({ lookup: { case: "paymentId", value: payment.id } })).payment).toEqual(payment);
      expect((await client.getPayment({ lookup: { case: "idempotencyKey", value: "order-get" } })).payment).toEqual(payment);
    });

    it("answers NOT_FOUND naming the id or key", async () => {
      const byId = await rejection(client.getPayment({ lookup: { case: "paymentId", value: "pay_missing" } }));
      expect(byId.code).toBe(Code.NotFound);
      expect(byId.rawMessage).toBe("payment pay_missing not found");
      const byKey = await rejection(client.getPayment({ lookup: { case: "idempotencyKey", value: "order-missing" } }));
      expect(byKey.code).toBe(Code.NotFound);
      expect(byKey.rawMessage).toBe("no payment with idempotency key order-missing");
    });

    it.each<[string, GetPaymentInit, string]>([
      ["no lookup", {}, "lookup"],
      ["an empty payment_id", { lookup: { case: "paymentId", value: "" } }, "payment_id"],
      ["a payment_id of 65 characters", { lookup: { case: "paymentId", value: "p".repeat(65) } }, "payment_id"],
      ["an empty idempotency_key", { lookup: { case: "idempotencyKey", value: "" } }, "idempotency_key"],
      ["an idempotency_key of 65 characters", { lookup: { case: "idempotencyKey", value: "k".repeat(65) } }, "idempotency_key"],
    ])("answers %s with INVALID_ARGUMENT naming the field", async (_name, request, field) => {
      const err = await rejection(client.getPayment(request));
      expect(err.code).toBe(Code.InvalidArgument);
      expect(fieldViolations(err).map((v) => v.field)).toEqual([field]);
    });
  });

  describe("card data", () => {
    it("is never stored: documents hold brand and last four only", async () => {
      const docs = await stored.find({}).toArray();
      expect(docs.length).toBeGreaterThan(10);
      for (const doc of docs) {
        expect(Object.keys(doc).sort()).toEqual(
          ["_id", "amount", "card_brand", "card_last4", "create_time", "decline_reason", "idempotency_key", "status", "update_time"].sort(),
        );
      }
      // Nor in the records of outcomes, refunds and voids.
      const db = raw.db("payments_test");
      const others = await Promise.all(
        ["payment_outcomes", "payment_refunds", "payment_voids"].map((c) => db.collection(c).find({}).toArray()),
      );
      for (const doc of [...docs, ...others.flat()]) {
        for (const text of stringsIn(doc)) {
          for (const number of cardSecrets.numbers) expect(text).not.toContain(number);
          expect(cardSecrets.cvcs).not.toContain(text);
        }
      }
    });

    it("is never logged", () => {
      const lines = logs.lines();
      expect(lines.filter((l) => l["method"] === "/shop.payment.v1.PaymentService/Charge").length).toBeGreaterThan(20);
      for (const number of cardSecrets.numbers) expect(logs.text()).not.toContain(number);
      for (const text of stringsIn(lines)) expect(cardSecrets.cvcs).not.toContain(text);
    });
  });

  describe("with the real grpcurl", () => {
    it("lists and describes the service", async () => {
      const list = await grpcurl([app.server.address, "list"]);
      expect(list.stdout.split("\n")).toContain("shop.payment.v1.PaymentService");
      const describe = await grpcurl([app.server.address, "describe", "shop.payment.v1.PaymentService"]);
      expect(describe.exitCode).toBe(0);
      expect(describe.stdout).toContain("rpc Charge ( .shop.payment.v1.ChargeRequest ) returns ( .shop.payment.v1.ChargeResponse );");
    });

    it("charges a card", async () => {
      const res = await grpcurl([app.server.address, "shop.payment.v1.PaymentService/Charge"], {
        data: {
          idempotency_key: "order-grpcurl",
          amount: { currency_code: "USD", units: "25", nanos: 0 },
          card: { number: visa.number, exp_month: visa.expMonth, exp_year: visa.expYear, cvc: visa.cvc },
        },
      });
      expect(res.exitCode).toBe(0);
      const body = JSON.parse(res.stdout) as { payment: Record<string, unknown> };
      expect(body.payment).toMatchObject({
        idempotencyKey: "order-grpcurl",
        status: "PAYMENT_STATUS_CAPTURED",
        cardBrand: "visa",
        cardLast4: "4242",
        amount: { currencyCode: "USD", units: "25" },
      });
    });
  });

  describe("health", () => {
    it("is NOT_SERVING while the store is down, UNAVAILABLE for calls, and SERVING after it returns", async () => {
      const health: HealthProbe = healthClient(app.server.address);
      try {
        await health.waitFor("SERVING");
        const payment = await charge("order-outage");
        await mongo.stop();
        await health.waitFor("NOT_SERVING");
        expect(await health.check("shop.payment.v1.PaymentService")).toBe("NOT_SERVING");
        const [lookup, charged] = await Promise.all([
          rejection(client.getPayment({ lookup: { case: "paymentId", value: payment.id } })),
          rejection(charge("order-during-outage")),
        ]);
        expect([lookup.code, charged.code]).toEqual([Code.Unavailable, Code.Unavailable]);
        await mongo.start();
        await health.waitFor("SERVING", "", 15_000);
        expect((await client.getPayment({ lookup: { case: "paymentId", value: payment.id } })).payment).toEqual(payment);
      } finally {
        health.close();
      }
    });
  });
});
