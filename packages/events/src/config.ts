// What a service reads to reach the event broker. Optional as a whole: without BROKER_URL a
// service publishes and consumes nothing (an outbox keeps its events until a broker is set).
import { configProblems, env } from "@shopmesh/kit";

export const brokerEnvShape = {
  BROKER_URL: env
    .url(["tls"])
    .optional()
    .describe("`tls://host:port` of the event broker (NATS); unset: no events are published or consumed (they wait in the outbox)"),
  BROKER_CA_FILE: env
    .path()
    .optional()
    .describe("the mesh CA certificate the broker's certificate is checked against; required with `BROKER_URL`"),
  BROKER_CERT_FILE: env
    .path()
    .optional()
    .describe("this workload's mesh certificate, its identity at the broker; required with `BROKER_URL`"),
  BROKER_KEY_FILE: env.path().optional().describe("the private key of `BROKER_CERT_FILE`; required with `BROKER_URL`"),
} as const;

export interface BrokerConfig {
  readonly url: string;
  readonly caFile: string;
  readonly certFile: string;
  readonly keyFile: string;
}

interface ParsedBroker {
  readonly BROKER_URL?: string | undefined;
  readonly BROKER_CA_FILE?: string | undefined;
  readonly BROKER_CERT_FILE?: string | undefined;
  readonly BROKER_KEY_FILE?: string | undefined;
}

/** The broker settings, undefined without BROKER_URL; throws ConfigError when a file is missing. */
export function brokerConfig(parsed: ParsedBroker): BrokerConfig | undefined {
  if (parsed.BROKER_URL === undefined) return undefined;
  const { BROKER_CA_FILE: caFile, BROKER_CERT_FILE: certFile, BROKER_KEY_FILE: keyFile } = parsed;
  const missing = Object.entries({ BROKER_CA_FILE: caFile, BROKER_CERT_FILE: certFile, BROKER_KEY_FILE: keyFile })
    .filter(([, value]) => value === undefined)
    .map(([name]) => `${name} is required when BROKER_URL is set`);
  configProblems(missing);
  if (caFile === undefined || certFile === undefined || keyFile === undefined) return undefined;
  return { url: parsed.BROKER_URL, caFile, certFile, keyFile };
}
