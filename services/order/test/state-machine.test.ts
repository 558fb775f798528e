// The saga's state machine as plain functions: every next step, every transition, and the order
// in which compensations run.
import { describe, expect, it } from "@jest/globals";
import { isFinal, sagaStates, type ProgressChanges, type SagaProgress } from "../src/order.js";
import { nextStep, retryDelayMs, transition, truncate, type RunMode, type Step, type StepOutcome } from "../src/saga/state-machine.js";

const fresh: SagaProgress = {
  state: "PENDING",
  cancelRequested: false,
  cancelReason: "",
  refunded: false,
  released: false,
  committed: false,
  cartEmptied: false,
};
const at = (patch: Partial<SagaProgress>): SagaProgress => ({ ...fresh, ...patch });
const withCard = { canCharge: true };
const withoutCard = { canCharge: false };

const ok: StepOutcome = { kind: "ok" };
const down = (service: string): StepOutcome => ({ kind: "unavailable", service, message: "UNAVAILABLE: connection refused" });
const refused = (service: string): StepOutcome => ({ kind: "rejected", service, message: "FAILED_PRECONDITION: no" });
const short: StepOutcome = {
  kind: "short",
  description: "MUG-1 (requested 3, available 1)",
  violations: [{ type: "STOCK", subject: "sku/MUG-1", description: "requested 3, available 1" }],
};
const declined: StepOutcome = { kind: "declined", paymentId: "pay-1", reason: "insufficient funds" };

function apply(order: SagaProgress, changes: ProgressChanges): SagaProgress {
  return { ...order, ...changes };
}

/** Runs the machine from `start`, answering each step from `outcomes` (ok by default). */
function simulate(
  start: SagaProgress,
  ctx: { canCharge: boolean },
  mode: RunMode,
  outcomes: Partial<Record<Step, StepOutcome>> = {},
): { steps: Step[]; end: SagaProgress; postponed: boolean } {
  let order = start;
  const steps: Step[] = [];
  for (let i = 0; i < 20; i++) {
    const step = nextStep(order, ctx);
    if (step === undefined) return { steps, end: order, postponed: false };
    steps.push(step);
    const t = transition(order, step, outcomes[step] ?? ok, mode);
    if (t.kind === "retry-later") return { steps, end: order, postponed: true };
    order = apply(order, t.changes);
  }
  throw new Error(`no end after 20 steps: ${steps.join(", ")}`);
}

describe("states", () => {
  it("treats CONFIRMED and CANCELLED as final", () => {
    expect(sagaStates.filter(isFinal)).toEqual(["CONFIRMED", "CANCELLED"]);
  });
});

describe("nextStep", () => {
  it("walks the happy path with the card at hand", () => {
    expect(nextStep(at({ state: "PENDING" }), withCard)).toBe("reserve");
    expect(nextStep(at({ state: "RESERVED" }), withCard)).toBe("charge");
    expect(nextStep(at({ state: "PAID" }), withCard)).toBe("ship");
    expect(nextStep(at({ state: "SHIPPED" }), withCard)).toBe("commit");
    expect(nextStep(at({ state: "SHIPPED", committed: true }), withCard)).toBe("emptyCart");
    expect(nextStep(at({ state: "SHIPPED", committed: true, cartEmptied: true }), withCard)).toBe("confirm");
    expect(nextStep(at({ state: "CONFIRMED" }), withCard)).toBeUndefined();
    expect(nextStep(at({ state: "CANCELLED" }), withCard)).toBeUndefined();
  });

  it("abandons an unpaid order when the card is gone, but carries a paid one forward", () => {
    expect(nextStep(at({ state: "PENDING" }), withoutCard)).toBe("abandon");
    expect(nextStep(at({ state: "RESERVED" }), withoutCard)).toBe("abandon");
    expect(nextStep(at({ state: "PAID" }), withoutCard)).toBe("ship");
    expect(nextStep(at({ state: "SHIPPED" }), withoutCard)).toBe("commit");
  });

  it("compensates in reverse once cancellation is requested: refund, release, cancel", () => {
    const paid = at({ state: "PAID", cancelRequested: true });
    expect(nextStep(paid, withoutCard)).toBe("refund");
    expect(nextStep({ ...paid, refunded: true }, withoutCard)).toBe("release");
    expect(nextStep({ ...paid, refunded: true, released: true }, withoutCard)).toBe("cancel");
  });

  it("looks for a payment of a RESERVED order (it may have been charged) but not of a PENDING one", () => {
    expect(nextStep(at({ state: "RESERVED", cancelRequested: true }), withCard)).toBe("refund");
    expect(nextStep(at({ state: "PENDING", cancelRequested: true }), withCard)).toBe("release");
    expect(nextStep(at({ state: "PENDING", cancelRequested: true, released: true }), withCard)).toBe("cancel");
  });

  it("ignores a cancellation request once SHIPPED (the point of no return)", () => {
    expect(nextStep(at({ state: "SHIPPED", cancelRequested: true }), withoutCard)).toBe("commit");
  });
});

describe("transition", () => {
  const modes: RunMode[] = ["interactive", "background"];

  it("advances the state on each successful forward step", () => {
    expect(transition(at({}), "reserve", ok, "interactive")).toEqual({ kind: "persist", changes: { state: "RESERVED" } });
    expect(transition(at({ state: "RESERVED" }), "charge", { kind: "ok", paymentId: "pay-1" }, "interactive")).toEqual({
      kind: "persist",
      changes: { state: "PAID", paymentId: "pay-1" },
    });
    expect(transition(at({ state: "PAID" }), "ship", { kind: "ok", shipmentId: "shp-1", trackingId: "TRK1" }, "background")).toEqual({
      kind: "persist",
      changes: { state: "SHIPPED", shipmentId: "shp-1", trackingId: "TRK1" },
    });
    expect(transition(at({ state: "SHIPPED" }), "commit", ok, "background")).toEqual({ kind: "persist", changes: { committed: true } });
    expect(transition(at({ state: "SHIPPED" }), "emptyCart", ok, "background")).toEqual({
      kind: "persist",
      changes: { cartEmptied: true },
    });
    expect(transition(at({ state: "SHIPPED" }), "confirm", ok, "background")).toEqual({ kind: "persist", changes: { state: "CONFIRMED" } });
    expect(transition(at({ cancelRequested: true, released: true }), "cancel", ok, "background")).toEqual({
      kind: "persist",
      changes: { state: "CANCELLED" },
    });
  });

  it("turns short stock into a cancellation with nothing to release", () => {
    expect(transition(at({}), "reserve", short, "interactive")).toEqual({
      kind: "persist",
      changes: { cancelRequested: true, cancelReason: "out of stock: MUG-1 (requested 3, available 1)", released: true },
    });
  });

  it("turns a declined card into a cancellation with nothing to refund, keeping the payment id", () => {
    expect(transition(at({ state: "RESERVED" }), "charge", declined, "interactive")).toEqual({
      kind: "persist",
      changes: { cancelRequested: true, cancelReason: "payment declined: insufficient funds", paymentId: "pay-1", refunded: true },
    });
  });

  it("compensates at once on an outage before SHIPPED when a PlaceOrder call runs the saga", () => {
    for (const [step, service, state] of [
      ["reserve", "inventory", "PENDING"],
      ["charge", "payment", "RESERVED"],
      ["ship", "shipping", "PAID"],
    ] as const) {
      expect(transition(at({ state }), step, down(service), "interactive")).toEqual({
        kind: "persist",
        changes: { cancelRequested: true, cancelReason: `${service} service unavailable: UNAVAILABLE: connection refused` },
      });
    }
  });

  it("retries a forward step later on an outage when recovery runs the saga", () => {
    expect(transition(at({ state: "PAID" }), "ship", down("shipping"), "background")).toMatchObject({ kind: "retry-later" });
  });

  it("compensates when a forward step before SHIPPED is refused for good, in either mode", () => {
    for (const mode of modes) {
      expect(transition(at({ state: "PAID" }), "ship", refused("shipping"), mode)).toEqual({
        kind: "persist",
        changes: { cancelRequested: true, cancelReason: "shipment failed: FAILED_PRECONDITION: no" },
      });
    }
  });

  it("retries the steps after SHIPPED on an outage and moves past a refusal", () => {
    for (const mode of modes) {
      expect(transition(at({ state: "SHIPPED" }), "commit", down("inventory"), mode)).toMatchObject({ kind: "retry-later" });
      expect(transition(at({ state: "SHIPPED" }), "emptyCart", down("cart"), mode)).toMatchObject({ kind: "retry-later" });
      expect(transition(at({ state: "SHIPPED" }), "commit", refused("inventory"), mode)).toEqual({
        kind: "persist",
        changes: { committed: true },
      });
      expect(transition(at({ state: "SHIPPED" }), "emptyCart", refused("cart"), mode)).toEqual({
        kind: "persist",
        changes: { cartEmptied: true },
      });
    }
  });

  it("retries compensations until they succeed", () => {
    const cancelling = at({ state: "PAID", cancelRequested: true, cancelReason: "x" });
    for (const mode of modes) {
      expect(transition(cancelling, "refund", down("payment"), mode)).toMatchObject({ kind: "retry-later" });
      expect(transition(cancelling, "refund", refused("payment"), mode)).toMatchObject({ kind: "retry-later" });
      expect(transition(cancelling, "release", down("inventory"), mode)).toMatchObject({ kind: "retry-later" });
      expect(transition(cancelling, "refund", ok, mode)).toEqual({ kind: "persist", changes: { refunded: true } });
      expect(transition(cancelling, "release", ok, mode)).toEqual({ kind: "persist", changes: { released: true } });
    }
  });

  it("abandons with the reason recovery gives", () => {
    expect(transition(at({ state: "RESERVED" }), "abandon", ok, "background")).toEqual({
      kind: "persist",
      changes: { cancelRequested: true, cancelReason: "interrupted before payment" },
    });
  });

  it("keeps the first cancel reason", () => {
    const byCustomer = at({ state: "RESERVED", cancelRequested: true, cancelReason: "cancelled by customer" });
    expect(transition(byCustomer, "charge", declined, "interactive")).toEqual({
      kind: "persist",
      changes: { paymentId: "pay-1", refunded: true },
    });
  });

  it("keeps cancel reasons within 200 characters", () => {
    const long = transition(
      at({ state: "PAID" }),
      "ship",
      { kind: "rejected", service: "shipping", message: "x".repeat(500) },
      "interactive",
    );
    expect(long.kind === "persist" && [...(long.changes.cancelReason ?? "")].length).toBe(200);
    expect(truncate("äöü", 2)).toBe("ä…");
    expect(truncate("abc", 3)).toBe("abc");
  });
});

describe("whole runs", () => {
  it("confirms an order: reserve, charge, ship, commit, empty the cart, confirm", () => {
    const run = simulate(fresh, withCard, "interactive");
    expect(run.steps).toEqual(["reserve", "charge", "ship", "commit", "emptyCart", "confirm"]);
    expect(run.end.state).toBe("CONFIRMED");
  });

  it("cancels on short stock without releasing anything", () => {
    const run = simulate(fresh, withCard, "interactive", { reserve: short });
    expect(run.steps).toEqual(["reserve", "cancel"]);
    expect(run.end).toMatchObject({ state: "CANCELLED", cancelReason: "out of stock: MUG-1 (requested 3, available 1)" });
  });

  it("releases the stock of a declined order and refunds nothing", () => {
    const run = simulate(fresh, withCard, "interactive", { charge: declined });
    expect(run.steps).toEqual(["reserve", "charge", "release", "cancel"]);
    expect(run.end).toMatchObject({ state: "CANCELLED", cancelReason: "payment declined: insufficient funds" });
  });

  it("undoes payment, then reservation, when shipping is down during PlaceOrder", () => {
    const run = simulate(fresh, withCard, "interactive", { ship: down("shipping") });
    expect(run.steps).toEqual(["reserve", "charge", "ship", "refund", "release", "cancel"]);
    expect(run.end.state).toBe("CANCELLED");
  });

  it("looks for a payment when the charge's outcome is unknown", () => {
    const run = simulate(fresh, withCard, "interactive", { charge: down("payment") });
    expect(run.steps).toEqual(["reserve", "charge", "refund", "release", "cancel"]);
  });

  it("stops with the order pending compensation when a compensation fails", () => {
    const run = simulate(fresh, withCard, "interactive", { charge: down("payment"), refund: down("payment") });
    expect(run.steps).toEqual(["reserve", "charge", "refund"]);
    expect(run.postponed).toBe(true);
    expect(run.end).toMatchObject({ state: "RESERVED", cancelRequested: true });
  });

  it("recovers crashed orders: unpaid ones are compensated, paid and shipped ones confirmed", () => {
    expect(simulate(at({ state: "PENDING" }), withoutCard, "background").steps).toEqual(["abandon", "release", "cancel"]);
    expect(simulate(at({ state: "RESERVED" }), withoutCard, "background").steps).toEqual(["abandon", "refund", "release", "cancel"]);
    expect(simulate(at({ state: "PAID" }), withoutCard, "background").steps).toEqual(["ship", "commit", "emptyCart", "confirm"]);
    expect(simulate(at({ state: "SHIPPED" }), withoutCard, "background").steps).toEqual(["commit", "emptyCart", "confirm"]);
    const resumed = simulate(at({ state: "SHIPPED", committed: true }), withoutCard, "background");
    expect(resumed.steps).toEqual(["emptyCart", "confirm"]);
  });

  it("resumes a compensation where it stopped", () => {
    const halfway = at({ state: "PAID", cancelRequested: true, cancelReason: "cancelled by customer", refunded: true });
    const run = simulate(halfway, withoutCard, "background");
    expect(run.steps).toEqual(["release", "cancel"]);
    expect(run.end).toMatchObject({ state: "CANCELLED", cancelReason: "cancelled by customer" });
  });
});

describe("retryDelayMs", () => {
  it("doubles from the base up to the maximum", () => {
    expect([0, 1, 2, 3, 10, 100].map((n) => retryDelayMs(n, 100, 1_000))).toEqual([100, 200, 400, 800, 1_000, 1_000]);
  });
});
