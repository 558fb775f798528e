// Each saga step a span of its own, named after the step and tagged with the order id, so an
// order's trace shows what the saga did (reserve, charge, ship…, and each compensation) around the
// calls it made; a step that did not go through is marked failed with the gRPC code it came to.
import { Code, ConnectError } from "@connectrpc/connect";
import { inSpan, shopTracer } from "@shopmesh/kit";
import { describe, type StepOutcome } from "./state-machine.js";

const tracerName = "shopmesh.order.saga";

/** The gRPC code of a step's failure: the callee's own, or what the order answers for it. */
function outcomeCode(outcome: Exclude<StepOutcome, { kind: "ok" }>): Code {
  switch (outcome.kind) {
    case "short":
    case "declined":
      return Code.FailedPrecondition;
    case "unavailable":
      return outcome.error === undefined ? Code.Unavailable : ConnectError.from(outcome.error).code;
    case "rejected":
      return outcome.error === undefined ? Code.FailedPrecondition : ConnectError.from(outcome.error).code;
  }
}

/** Runs a step (or part of one: a compensation's single call) in its span. */
export function stepSpan(step: string, orderId: string, run: () => Promise<StepOutcome>): Promise<StepOutcome> {
  return inSpan(shopTracer(tracerName), `saga ${step}`, { "order.id": orderId, "saga.step": step }, async (span) => {
    const outcome = await run();
    if (outcome.kind !== "ok") span.fail(outcomeCode(outcome), describe(outcome));
    return outcome;
  });
}
