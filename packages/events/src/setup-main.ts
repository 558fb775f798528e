// The broker's one-shot setup in a deployment: with the mesh's admin certificate, every stream and
// consumer of the layout file (packages/events/src/provision.ts), then exit 0. It waits for a broker
// that is not up yet; run again at any time, it updates what exists to the layout.
//   node packages/events/dist/src/setup-main.js     (settings from the environment: setup-config.ts)
import { readFileSync } from "node:fs";
import { connect } from "@nats-io/transport-node";
import { ConfigError, createLogger } from "@shopmesh/kit";
import { type BrokerLayout, provisionBroker } from "./provision.js";
import { loadSetupConfig } from "./setup-config.js";

const logger = createLogger("broker-setup");

async function main(): Promise<void> {
  const config = loadSetupConfig(process.env);
  const layout = JSON.parse(readFileSync(config.layoutFile, "utf8")) as BrokerLayout;
  const { broker } = config;
  const nc = await connect({
    servers: broker.url,
    name: "broker-setup",
    tls: { caFile: broker.caFile, certFile: broker.certFile, keyFile: broker.keyFile },
    // A broker that is still starting is waited for, a second between tries.
    waitOnFirstConnect: true,
    maxReconnectAttempts: config.attempts,
    reconnectTimeWait: 1_000,
    timeout: 2_000,
  });
  try {
    await provisionBroker(nc, layout);
    logger.info({ streams: layout.streams.length, consumers: layout.consumers.length }, "broker set up");
  } finally {
    await nc.close();
  }
}

main().catch((err: unknown) => {
  if (err instanceof ConfigError) logger.error(err.message);
  else logger.error({ err: err instanceof Error ? err.message : String(err) }, "broker setup failed");
  process.exitCode = 1;
});
