// A grpc.health.v1 client (readiness, `make status`, tests), from the health proto that grpc-health-check ships.
import * as grpc from "@grpc/grpc-js";
import { loadSync } from "@grpc/proto-loader";
import { protoPath } from "grpc-health-check";

export type ServingStatus = "UNKNOWN" | "SERVING" | "NOT_SERVING" | "SERVICE_UNKNOWN";

interface HealthStub extends grpc.Client {
  check(
    req: { service: string },
    options: grpc.CallOptions,
    cb: (err: grpc.ServiceError | null, res?: { status: ServingStatus }) => void,
  ): void;
  watch(req: { service: string }): grpc.ClientReadableStream<{ status: ServingStatus }>;
}

const HealthClient = (() => {
  const definition = loadSync(protoPath, { enums: String, keepCase: true, defaults: true });
  const pkg = grpc.loadPackageDefinition(definition) as unknown as {
    grpc: { health: { v1: { Health: new (address: string, creds: grpc.ChannelCredentials) => HealthStub } } };
  };
  return pkg.grpc.health.v1.Health;
})();

export interface HealthProbe {
  /** The status of `service` ("" for the server as a whole). */
  check(service?: string): Promise<ServingStatus>;
  /** Statuses as Watch streams them; stop the iteration to end the call. */
  watch(service?: string): AsyncIterable<ServingStatus>;
  /** Polls Check until it answers `status`, or rejects after `timeoutMs`. */
  waitFor(status: ServingStatus, service?: string, timeoutMs?: number): Promise<void>;
  close(): void;
}

export function healthClient(address: string): HealthProbe {
  const client = new HealthClient(address, grpc.credentials.createInsecure());
  const check = (service = ""): Promise<ServingStatus> =>
    new Promise((resolve, reject) =>
      client.check({ service }, { deadline: Date.now() + 2_000 }, (err, res) => (err ? reject(err) : resolve(res?.status ?? "UNKNOWN"))),
    );
  return {
    check,
    async *watch(service = "") {
      const call = client.watch({ service });
      try {
        for await (const res of call) yield (res as { status: ServingStatus }).status;
      } finally {
        call.cancel();
      }
    },
    async waitFor(status, service = "", timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      let last = "no answer";
      while (Date.now() < deadline) {
        try {
          last = await check(service);
          if (last === status) return;
        } catch (err) {
          last = err instanceof Error ? err.message : String(err);
        }
        await new Promise((r) => setTimeout(r, 100));
      }
      throw new Error(`health of "${service}" is not ${status} after ${timeoutMs} ms (last: ${last})`);
    },
    close: () => client.close(),
  };
}
