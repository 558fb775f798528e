// Inside the broker's pod (broker-pod.sh, after the setup ran): order, inventory and notification
// reach the broker with the settings their own config.js makes of the environment Compose (or Kubernetes) gives
// their containers (the broker by its name, over its TLS, each with its certificate). Order publishes
// an event; each consumer pulls it from its durable consumer and acks it. Prints what happened as JSON.
//   node broker-pod-client.js <work dir> <repo root>
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { inboxPrefix } from "@shopmesh/events";

type Env = Record<string, string>;
interface Broker {
  readonly url: string;
  readonly caFile: string;
  readonly certFile: string;
  readonly keyFile: string;
}

const [work = "", root = ""] = process.argv.slice(2);
const envOf = (name: string): Env => JSON.parse(readFileSync(join(work, `${name}.env.json`), "utf8")) as Env;

function connectAs(name: string, broker: Broker, replies?: string): Promise<NatsConnection> {
  return connect({
    servers: broker.url,
    name,
    ...(replies === undefined ? {} : { inboxPrefix: replies }),
    tls: { caFile: broker.caFile, certFile: broker.certFile, keyFile: broker.keyFile },
    timeout: 5_000,
  });
}

async function serviceConnection(service: string): Promise<NatsConnection> {
  const url = pathToFileURL(join(root, "services", service, "dist", "src", "config.js")).href;
  const { loadConfig } = (await import(url)) as { loadConfig: (env: Env) => { broker?: Broker } };
  const broker = loadConfig(envOf(service)).broker;
  if (broker === undefined) throw new Error(`${service}: its config has no broker`);
  return connectAs(service, broker, inboxPrefix(service));
}

async function main(): Promise<void> {
  const setup = envOf("broker-setup");
  const admin = await connectAs("admin", {
    url: setup["BROKER_URL"] ?? "",
    caFile: setup["BROKER_CA_FILE"] ?? "",
    certFile: setup["BROKER_CERT_FILE"] ?? "",
    keyFile: setup["BROKER_KEY_FILE"] ?? "",
  });
  const jsm = await jetstreamManager(admin);
  const streams: string[] = [];
  for await (const name of jsm.streams.names()) streams.push(name);
  const consumers: string[] = [];
  for await (const info of jsm.consumers.list("ORDER_EVENTS")) consumers.push(info.name);
  await admin.close();

  const order = await serviceConnection("order");
  const ack = await jetstream(order).publish("shop.order.v1.OrderConfirmed", new TextEncoder().encode("{}"), { msgID: "pod-1" });
  await order.close();

  const received: Record<string, string> = {};
  for (const service of ["notification", "inventory"]) {
    const nc = await serviceConnection(service);
    const consumer = await jetstream(nc).consumers.get("ORDER_EVENTS", service);
    const message = await consumer.next({ expires: 5_000 });
    if (message !== null) {
      received[service] = message.subject;
      await message.ackAck();
    }
    await nc.close();
  }
  process.stdout.write(`${JSON.stringify({ streams: streams.sort(), consumers: consumers.sort(), published: ack.stream, received })}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exitCode = 1;
});
