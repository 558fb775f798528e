// What the broker's one-shot setup in a deployment reads (the Compose file's `broker-setup`, the
// Kubernetes Job): the broker settings every service reads, required here, with the admin's
// certificate, and the file with the streams and consumers to set up (rendered from the topology).
import { env, type Env, parseEnv } from "@shopmesh/kit";
import { type BrokerConfig, brokerConfig, brokerEnvShape } from "./config.js";

export const setupEnvShape = {
  ...brokerEnvShape,
  BROKER_URL: env.url(["tls"]).describe("`tls://host:port` of the broker to set up"),
  BROKER_LAYOUT_FILE: env
    .path()
    .describe("the JSON file of the streams and consumers to set up (`make manifests` renders it from the topology)"),
  BROKER_SETUP_ATTEMPTS: env
    .positiveInt(120, 10_000)
    .describe("how many times, a second apart, the setup tries to reach a broker that is not up yet before it gives up"),
} as const;

export interface SetupConfig {
  readonly broker: BrokerConfig;
  readonly layoutFile: string;
  readonly attempts: number;
}

/** The validated settings; throws ConfigError naming every bad or missing variable. */
export function loadSetupConfig(environment: Env): SetupConfig {
  const parsed = parseEnv(setupEnvShape, environment);
  // Defined: the schema requires BROKER_URL, and brokerConfig throws when a file is missing.
  const broker = brokerConfig(parsed) as BrokerConfig;
  return { broker, layoutFile: parsed.BROKER_LAYOUT_FILE, attempts: parsed.BROKER_SETUP_ATTEMPTS };
}
