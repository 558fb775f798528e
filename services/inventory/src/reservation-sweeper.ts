// Expires HELD reservations past their expire time, so their units return to `available` even
// when nobody touches the reservation or its SKUs again. Reads and changes expire due
// reservations themselves, so correctness does not hang on this timer; it keeps Redis tidy.
import type { Logger, Clock } from "@shopmesh/kit";
import type { InventoryStore } from "./store/inventory-store.js";

/** Reservations expired per script call; a sweep repeats until fewer were due. */
const batchSize = 100;

export interface ReservationSweeper {
  /** Stops the timer and waits for a running sweep to finish. */
  stop(): Promise<void>;
}

export function startReservationSweeper(deps: {
  store: InventoryStore;
  intervalMs: number;
  logger: Logger;
  clock: Clock;
}): ReservationSweeper {
  const { store, intervalMs, logger, clock } = deps;
  let stopped = false;
  let failing = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();

  const sweep = async (): Promise<void> => {
    let expired = 0;
    try {
      for (;;) {
        const due = await store.expireDue(clock(), batchSize);
        expired += due;
        if (due < batchSize || stopped) break;
      }
      if (failing) logger.info("reservation sweep works again");
      failing = false;
    } catch (err) {
      // Redis being down fails every sweep until it is back: say so once.
      if (!failing) logger.warn({ err }, "reservation sweep failed; retrying every interval");
      failing = true;
    }
    if (expired > 0) logger.info({ expired }, "expired reservations");
  };

  const schedule = (): void => {
    timer = setTimeout(() => {
      running = sweep().finally(() => {
        if (!stopped) schedule();
      });
    }, intervalMs);
  };
  schedule();

  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}
