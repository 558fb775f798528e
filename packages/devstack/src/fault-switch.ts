// Switches the failure scenarios of deploy/faults.yaml on and off in a running mesh: each is a set
// of runtime keys in the admin layer of the sidecars concerned (POST /runtime_modify on their admin
// ports), read back from their /runtime. Nothing restarts; an Envoy that restarts comes back with
// every scenario off.
import { faultRuntimeKeys, grpcCode, type FaultScenario } from "@shopmesh/mesh";
import { codeName } from "@shopmesh/kit";
import type { ShopState } from "./state.js";

/** A sidecar of the running mesh: `sidecar-<replica>` and its admin port. */
export interface SidecarAdmin {
  readonly name: string;
  readonly adminPort: number;
}

export interface FaultSettings {
  /** Percent of calls (attempts) hit; the scenario's own by default. */
  readonly percent?: number | undefined;
  /** The delay, for a delay scenario; the scenario's own by default. */
  readonly delayMs?: number | undefined;
  /** The gRPC code name an abort answers with (UNAVAILABLE, INTERNAL…); the scenario's own by default. */
  readonly code?: string | undefined;
}

export interface ScenarioState {
  readonly name: string;
  readonly description: string;
  /** The sidecars it is switched in (empty: off), and what each reads from its runtime. */
  readonly on: readonly { readonly sidecar: string; readonly percent: number; readonly delayMs?: number; readonly code?: string }[];
  /** The sidecars of its services, where it is read back. */
  readonly sidecars: readonly string[];
}

export interface FaultSwitch {
  readonly scenarios: readonly FaultScenario[];
  list(): Promise<ScenarioState[]>;
  on(name: string, settings?: FaultSettings): Promise<ScenarioState>;
  /** `all` switches every scenario off. */
  off(name: string): Promise<void>;
}

export function createFaultSwitch(scenarios: readonly FaultScenario[], sidecars: readonly SidecarAdmin[]): FaultSwitch {
  const scenarioNamed = (name: string): FaultScenario => {
    const scenario = scenarios.find((s) => s.name === name);
    if (scenario === undefined) throw new Error(`no scenario ${name}; the scenarios are ${scenarios.map((s) => s.name).join(", ")}`);
    return scenario;
  };
  /** Every sidecar of the scenario's services. */
  const sidecarsOfServices = (scenario: FaultScenario): SidecarAdmin[] =>
    sidecars.filter((c) => scenario.services.some((s) => c.name === `sidecar-${s}` || new RegExp(`^sidecar-${s}-\\d+$`).test(c.name)));
  /** The sidecars switching it on sets: its replica's only, when it names one. */
  const sidecarsOf = (scenario: FaultScenario): SidecarAdmin[] => {
    const of = sidecarsOfServices(scenario);
    if (scenario.replica === undefined) return of;
    const [service = ""] = scenario.services;
    const wanted = scenario.replica === 1 ? `sidecar-${service}` : `sidecar-${service}-${scenario.replica}`;
    const one = of.filter((c) => c.name === wanted);
    if (one.length === 0) throw new Error(`${scenario.name} needs replica ${scenario.replica} of ${service}, which runs ${of.length} here`);
    return one;
  };
  const stateOf = async (scenario: FaultScenario): Promise<ScenarioState> => {
    const keys = faultRuntimeKeys(scenario.name);
    const targets = sidecarsOfServices(scenario);
    const read = await Promise.all(targets.map(async (c) => ({ sidecar: c.name, values: await runtimeOf(c) })));
    const on = read.flatMap(({ sidecar, values }) => {
      const percent = Number(values[keys.abortPercent] ?? values[keys.delayPercent] ?? 0);
      if (!(percent > 0)) return [];
      const delay = values[keys.delayMs];
      const code = values[keys.grpcStatus];
      return [
        {
          sidecar,
          percent,
          ...(delay === undefined ? {} : { delayMs: Number(delay) }),
          ...(code === undefined ? {} : { code: codeName(Number(code)) }),
        },
      ];
    });
    return { name: scenario.name, description: scenario.description, on, sidecars: targets.map((c) => c.name) };
  };

  return {
    scenarios,
    list: () => Promise.all(scenarios.map(stateOf)),
    async on(name, settings = {}) {
      const scenario = scenarioNamed(name);
      const values = runtimeValues(scenario, settings);
      await Promise.all(sidecarsOf(scenario).map((c) => modifyRuntime(c, values)));
      return stateOf(scenario);
    },
    async off(name) {
      const chosen = name === "all" ? scenarios : [scenarioNamed(name)];
      await Promise.all(
        chosen.map(async (scenario) => {
          const keys = Object.values(faultRuntimeKeys(scenario.name));
          // An empty value removes the key from the admin layer: the config's own 0 applies again.
          const cleared = Object.fromEntries(keys.map((k) => [k, ""]));
          await Promise.all(sidecarsOfServices(scenario).map((c) => modifyRuntime(c, cleared)));
        }),
      );
    },
  };
}

/** The runtime keys that switch `scenario` on with `settings`; a clear error for a bad one. */
function runtimeValues(scenario: FaultScenario, settings: FaultSettings): Record<string, string> {
  const keys = faultRuntimeKeys(scenario.name);
  const percent = settings.percent ?? scenario.abort?.percent ?? scenario.delay?.percent ?? 100;
  if (!Number.isInteger(percent) || percent < 1 || percent > 100) throw new Error(`PERCENT must be a whole number 1..100 (got ${percent})`);
  const values: Record<string, string> = {};
  if (scenario.abort !== undefined) {
    const code = settings.code === undefined ? scenario.abort.code : grpcCode(settings.code);
    if (code === undefined) throw new Error(`CODE must be a gRPC code name like UNAVAILABLE or INTERNAL (got ${settings.code})`);
    values[keys.abortPercent] = String(percent);
    values[keys.grpcStatus] = String(code);
  } else if (settings.code !== undefined) {
    throw new Error(`${scenario.name} delays calls; CODE applies only to a scenario that fails them`);
  }
  if (scenario.delay !== undefined) {
    const ms = settings.delayMs ?? scenario.delay.ms;
    if (!Number.isInteger(ms) || ms < 1 || ms > 60_000) throw new Error(`DELAY_MS must be a whole number 1..60000 (got ${ms})`);
    values[keys.delayPercent] = String(percent);
    values[keys.delayMs] = String(ms);
  } else if (settings.delayMs !== undefined) {
    throw new Error(`${scenario.name} fails calls; DELAY_MS applies only to a scenario that delays them`);
  }
  return values;
}

async function modifyRuntime(sidecar: SidecarAdmin, values: Readonly<Record<string, string>>): Promise<void> {
  const query = new URLSearchParams(values).toString();
  const res = await fetch(`http://127.0.0.1:${sidecar.adminPort}/runtime_modify?${query}`, { method: "POST" });
  if (!res.ok) throw new Error(`${sidecar.name} refused the runtime change: HTTP ${res.status} ${(await res.text()).trim()}`);
  await res.arrayBuffer().catch(() => undefined);
}

/** The final value of every runtime key the Envoy has. */
async function runtimeOf(sidecar: SidecarAdmin): Promise<Record<string, string>> {
  const res = await fetch(`http://127.0.0.1:${sidecar.adminPort}/runtime`);
  const body = (await res.json()) as { entries?: Record<string, { final_value?: string }> };
  return Object.fromEntries(Object.entries(body.entries ?? {}).map(([k, v]) => [k, v.final_value ?? ""]));
}

/** The sidecars a running `make up` lists in its state file. */
export function sidecarAdmins(state: ShopState): SidecarAdmin[] {
  return state.components.flatMap((c) =>
    c.kind === "sidecar" && c.adminPort !== undefined ? [{ name: c.name, adminPort: c.adminPort }] : [],
  );
}

/** "50% UNAVAILABLE in sidecar-payment", "100% +3000 ms in sidecar-catalog-2", or "off". */
export function describeState(s: ScenarioState): string {
  if (s.on.length === 0) return "off";
  return s.on
    .map(
      (o) =>
        `${o.percent}%${o.delayMs === undefined ? "" : ` +${o.delayMs} ms`}${o.code === undefined ? "" : ` ${o.code}`} in ${o.sidecar}`,
    )
    .join(", ");
}
