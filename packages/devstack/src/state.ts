// What `make up` leaves in .run/shop.json for `make status` and `make down`: what runs where, and
// what supervision did to it. Rewritten whenever that changes, so a restarted component's new pid is there.
import { renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { ComponentState, ExitRecord } from "@shopmesh/launcher";
import type { RunningShop } from "./shop.js";

export interface ComponentRecord {
  readonly name: string;
  readonly kind: string;
  readonly pid: number;
  readonly port: number;
  readonly socket?: string;
  readonly adminPort?: number;
  readonly state: ComponentState;
  /** Restarts after it exited by itself. */
  readonly restarts: number;
  readonly lastExit?: ExitRecord;
  /** Its log file. */
  readonly log: string;
}

export interface ShopState {
  /** `make up`'s own process. */
  readonly pid: number;
  readonly gateway: string;
  /** The event broker's HTTP monitoring, when the shop runs one. */
  readonly brokerMonitor?: string;
  readonly components: readonly ComponentRecord[];
}

export function stateFile(runDir: string): string {
  return join(runDir, "shop.json");
}

/** The state of `shop`, started by process `pid`. */
export function shopState(pid: number, shop: Pick<RunningShop, "gatewayAddress" | "running" | "dirs" | "topology">): ShopState {
  const broker = shop.running.some((r) => r.component.kind === "broker") ? shop.topology.broker : undefined;
  return {
    pid,
    gateway: shop.gatewayAddress,
    ...(broker === undefined ? {} : { brokerMonitor: `http://127.0.0.1:${broker.monitorPort}` }),
    components: shop.running.map(({ component, pid: componentPid, status }) => {
      const { state, restarts, lastExit } = status();
      return {
        name: component.name,
        kind: component.kind,
        pid: componentPid,
        port: component.port,
        ...(component.socket === undefined ? {} : { socket: component.socket }),
        ...(component.adminPort === undefined ? {} : { adminPort: component.adminPort }),
        state,
        restarts,
        ...(lastExit === undefined ? {} : { lastExit }),
        log: join(shop.dirs.logDir, `${component.name}.log`),
      };
    }),
  };
}

/** Replaces the state file in one step: `make status` never reads half of one. */
export function writeState(runDir: string, state: ShopState): void {
  const file = stateFile(runDir);
  writeFileSync(`${file}.tmp`, `${JSON.stringify(state, null, 2)}\n`);
  renameSync(`${file}.tmp`, file);
}
