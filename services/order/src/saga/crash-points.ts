// Fault injection for crash tests (SAGA_CRASH_AFTER, SAGA_CRASH_BEFORE_PERSIST; off by default):
// the process kills itself with SIGKILL at a chosen point of the saga, as a power cut would.
import type { Logger } from "@shopmesh/kit";
import type { CrashPoints, CrashStep } from "../config.js";
import type { SagaState } from "../order.js";
import type { Step } from "./state-machine.js";

export interface CrashHooks {
  /** Called right after `state` was persisted. */
  afterPersist(state: SagaState): void;
  /** Called right after `step` succeeded downstream, before its outcome is persisted. */
  beforePersist(step: Step): void;
}

const stepNames: Partial<Record<Step, CrashStep>> = {
  reserve: "RESERVE",
  charge: "CHARGE",
  ship: "SHIP",
  commit: "COMMIT",
  emptyCart: "EMPTY_CART",
  refund: "REFUND",
  release: "RELEASE",
};

export const noCrashes: CrashHooks = { afterPersist: () => undefined, beforePersist: () => undefined };

export function createCrashHooks(points: CrashPoints, kill: () => void, logger: Logger): CrashHooks {
  if (points.afterState === undefined && points.beforePersistStep === undefined) return noCrashes;
  logger.warn({ after_state: points.afterState, before_persist: points.beforePersistStep }, "crash points are armed (testing aid)");
  const crash = (where: string): void => {
    logger.warn({ where }, "crashing on purpose (testing aid)");
    kill();
  };
  return {
    afterPersist: (state) => {
      if (state === points.afterState) crash(`after ${state}`);
    },
    beforePersist: (step) => {
      if (stepNames[step] !== undefined && stepNames[step] === points.beforePersistStep) crash(`before persisting ${step}`);
    },
  };
}
