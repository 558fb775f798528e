// Two replicas of the payment service (two servers, each with its own MongoClient, one FerretDB)
// racing on the same keys, as two processes behind one address would: a void before the Charge,
// during it and after it, charges and voids at once, refunds at once. FerretDB applies a
// conditional update as read-then-write, so only what is inserted under a unique key holds here.
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { Code } from "@connectrpc/connect";
import { PreconditionFailureSchema } from "@shopmesh/gen/google/rpc/error_details_pb.js";
import { PaymentService, PaymentStatus } from "@shopmesh/gen/shop/payment/v1/payment_pb.js";
import { createGrpcClient, createLogger, type GrpcClient, type RunningService } from "@shopmesh/kit";
import { eventually, rejection, startMongo, testCards, type TestStore } from "@shopmesh/testkit";
import { startPayment } from "../src/app.js";
import type { CardProcessor, ChargeDecision } from "../src/card-processor.js";
import { loadConfig } from "../src/config.js";

const visa = { number: testCards.succeeds.number, expMonth: 12, expYear: 2099, cvc: "737" };
const amount = { currencyCode: "USD", units: 20n, nanos: 0 };

/** A processor that acts at most once per key and per refunded payment (as the contract asks), and can hold charges. */
function heldProcessor() {
  const decisions = new Map<string, ChargeDecision>();
  const captured: string[] = [];
  const refunded = new Set<string>();
  let held: Promise<void> | undefined;
  let waiting = 0;
  const processor: CardProcessor = {
    async charge({ idempotencyKey }) {
      waiting++;
      await held;
      waiting--;
      const first = decisions.get(idempotencyKey);
      if (first !== undefined) return first;
      const decision: ChargeDecision = { status: "CAPTURED" };
      decisions.set(idempotencyKey, decision);
      captured.push(idempotencyKey);
      return decision;
    },
    async refund({ paymentId }) {
      refunded.add(paymentId);
    },
  };
  return {
    processor,
    captured,
    refunded,
    /** Holds every charge at the processor until the returned function is called. */
    hold(): () => void {
      let release = (): void => undefined;
      held = new Promise((resolve) => {
        release = () => {
          held = undefined;
          resolve();
        };
      });
      return release;
    },
    /** Resolves once `n` charges are being held. */
    holding: (n: number) => eventually(() => waiting >= n, { timeoutMs: 5_000, what: `${n} charges at the processor` }),
  };
}

let mongo: TestStore;
let replicas: RunningService[] = [];
let a: GrpcClient<typeof PaymentService>;
let b: GrpcClient<typeof PaymentService>;
const processor = heldProcessor();
// Each replica its own clock, so that a record written by one is told from the other's.
const clocks = [Date.parse("2031-01-01T00:00:00Z"), Date.parse("2031-01-01T00:00:07Z")];

beforeAll(async () => {
  mongo = await startMongo();
  const logger = createLogger("payment", "silent");
  const config = loadConfig({ GRPC_PORT: "0", MONGO_URL: mongo.url, MONGO_DB: "payments_replicas", SHUTDOWN_GRACE_MS: "1000" });
  replicas = await Promise.all(clocks.map((now) => startPayment(config, logger, { processor: processor.processor, clock: () => now })));
  [a, b] = replicas.map((r) => createGrpcClient(PaymentService, r.server.address, { defaultTimeoutMs: 10_000 })) as [
    GrpcClient<typeof PaymentService>,
    GrpcClient<typeof PaymentService>,
  ];
});

afterAll(async () => {
  a?.close();
  b?.close();
  await Promise.all(replicas.map((r) => r.stop()));
  await mongo?.dispose();
});

const charge = (client: GrpcClient<typeof PaymentService>, key: string) => client.charge({ idempotencyKey: key, amount, card: visa });
const statusOf = async (key: string): Promise<PaymentStatus | "none"> => {
  try {
    return (await a.getPayment({ lookup: { case: "idempotencyKey", value: key } })).payment?.status ?? "none";
  } catch {
    return "none";
  }
};
const expectVoided = async (call: Promise<unknown>, key: string) => {
  const err = await rejection(call);
  expect(err.code).toBe(Code.FailedPrecondition);
  expect(err.findDetails(PreconditionFailureSchema)[0]?.violations).toEqual([
    expect.objectContaining({ type: "VOIDED", subject: `idempotency_key/${key}` }),
  ]);
};
/** Whether money of `key` is still taken: captured by the processor and not refunded. */
const stillCharged = async (key: string): Promise<boolean> => {
  if (!processor.captured.includes(key)) return false;
  const { payment } = await a.getPayment({ lookup: { case: "idempotencyKey", value: key } });
  return !processor.refunded.has(payment?.id ?? "");
};

describe("VoidCharge across two replicas", () => {
  it("voids a key before any Charge: a Charge arriving later on the other replica charges nothing and fails VOIDED", async () => {
    expect((await a.voidCharge({ idempotencyKey: "late-charge" })).payment).toBeUndefined();

    await expectVoided(charge(b, "late-charge"), "late-charge");

    expect(processor.captured).not.toContain("late-charge");
    // The late Charge is on record, VOIDED; voiding again changes nothing.
    expect(await statusOf("late-charge")).toBe(PaymentStatus.VOIDED);
    expect((await b.voidCharge({ idempotencyKey: "late-charge" })).payment?.status).toBe(PaymentStatus.VOIDED);
  });

  it("voids a PENDING payment whose Charge is with the processor: that Charge refunds its capture and fails VOIDED", async () => {
    const release = processor.hold();
    const late = charge(a, "charge-in-flight");
    await processor.holding(1);

    const { payment: voided } = await b.voidCharge({ idempotencyKey: "charge-in-flight" });
    expect(voided?.status).toBe(PaymentStatus.VOIDED);
    release();

    await expectVoided(late, "charge-in-flight");
    expect(processor.captured).toContain("charge-in-flight");
    expect(processor.refunded).toContain(voided?.id);
    expect(await statusOf("charge-in-flight")).toBe(PaymentStatus.REFUNDED);
    // A replay of the Charge on either replica keeps failing and charges nothing more.
    await expectVoided(charge(b, "charge-in-flight"), "charge-in-flight");
  });

  it("refunds a CAPTURED payment; the key stays voided", async () => {
    const { payment } = await a.charge({ idempotencyKey: "captured-then-voided", amount, card: visa });
    expect(payment?.status).toBe(PaymentStatus.CAPTURED);

    const { payment: voided } = await b.voidCharge({ idempotencyKey: "captured-then-voided" });

    expect(voided).toMatchObject({ id: payment?.id, status: PaymentStatus.REFUNDED });
    expect(processor.refunded).toContain(payment?.id);
    expect((await a.voidCharge({ idempotencyKey: "captured-then-voided" })).payment).toEqual(voided);
    await expectVoided(charge(a, "captured-then-voided"), "captured-then-voided");
  });

  it("never leaves money taken when Charges and voids of one key race on both replicas", async () => {
    const keys = Array.from({ length: 8 }, (_, i) => `race-${i}`);
    const release = processor.hold();
    const calls = keys.flatMap((key, i) => {
      const chargeFirst = i % 2 === 0;
      const charges = [charge(a, key), charge(b, key)];
      const voids = [a.voidCharge({ idempotencyKey: key }), b.voidCharge({ idempotencyKey: key })];
      return chargeFirst ? [...charges, ...voids] : [...voids, ...charges];
    });
    // Let some charges reach the processor before the voids, and some after.
    setTimeout(release, 50);
    const outcomes = await Promise.allSettled(calls);

    for (const outcome of outcomes) {
      // A Charge either failed VOIDED or answered before the void, whose refund then followed.
      if (outcome.status === "rejected") expect(outcome.reason).toMatchObject({ code: Code.FailedPrecondition });
    }
    for (const key of keys) {
      expect(await stillCharged(key)).toBe(false);
      expect(["none", PaymentStatus.VOIDED, PaymentStatus.REFUNDED]).toContain(await statusOf(key));
    }
  });
});

describe("Refund across two replicas", () => {
  it("records one refund when both replicas refund at once: every answer is the first refund", async () => {
    const { payment } = await a.charge({ idempotencyKey: "refund-race", amount, card: visa });
    const refunds = await Promise.all(Array.from({ length: 6 }, (_, i) => (i % 2 === 0 ? a : b).refund({ paymentId: payment?.id ?? "" })));
    const answers = refunds.map((r) => r.payment);
    expect(answers.every((p) => p?.status === PaymentStatus.REFUNDED)).toBe(true);
    // The two replicas' clocks differ: had each recorded its own refund, their times would too.
    expect(new Set(answers.map((p) => p?.updateTime?.seconds))).toHaveProperty("size", 1);
    expect((await b.getPayment({ lookup: { case: "paymentId", value: payment?.id ?? "" } })).payment).toEqual(answers[0]);
  });
});
