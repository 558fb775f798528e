// A Subscribe stream through the gateway and the notification's sidecar stays open however long
// it waits for its next notification: Envoy resets any stream quiet for its connection manager's
// stream_idle_timeout (5 minutes by default), so the mesh exempts the streaming routes. This shop
// runs with a 1 s idle timeout, so a stream held quiet for 3 s shows the exemption in seconds.
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { ConnectError, createClient } from "@connectrpc/connect";
import { createGrpcWebTransport } from "@connectrpc/connect-web";
import { startShop, type RunningShop } from "@shopmesh/devstack";
import { NotificationKind, NotificationService } from "@shopmesh/gen/shop/notification/v1/notification_pb.js";
import { createGrpcClient, type GrpcClient } from "@shopmesh/kit";
import { readSigningKeyFile } from "@shopmesh/user/keys";
import { createTokenIssuer } from "@shopmesh/user/tokens";
import { eventually } from "@shopmesh/testkit";

const idleTimeoutMs = 1_000;
const quietMs = 3 * idleTimeoutMs;

let runDir: string;
let shop: RunningShop;
let gateway: GrpcClient<typeof NotificationService>;
let direct: GrpcClient<typeof NotificationService>;

beforeAll(async () => {
  runDir = mkdtempSync(join(tmpdir(), "shopmesh-streams-"));
  shop = await startShop({ base: "free", runDir, services: ["notification"], streamIdleTimeout: `${idleTimeoutMs / 1_000}s` });
  gateway = createGrpcClient(NotificationService, shop.gatewayAddress, { defaultTimeoutMs: 30_000 });
  direct = createGrpcClient(NotificationService, shop.serviceAddress("notification"), { defaultTimeoutMs: 10_000 });
}, 120_000);

afterAll(async () => {
  gateway?.close();
  direct?.close();
  await shop?.stop();
  if (runDir !== undefined) rmSync(runDir, { recursive: true, force: true });
});

/** Bearer headers for `userId`, signed with the shop's key as the user service signs them. */
async function headersFor(userId: string): Promise<Record<string, string>> {
  const { issuer, audience } = shop.topology.gateway.jwt;
  const key = await readSigningKeyFile(join(shop.dirs.keyDir, "jwt-es256.pem"));
  const { token } = await createTokenIssuer({ key, issuer, audience, ttlSeconds: 300 }).issue(userId, Date.now());
  return { authorization: `Bearer ${token}` };
}

interface Held {
  readonly received: string[];
  /** How the stream ended: undefined while it is open (or when it was cancelled by the test). */
  readonly ended: () => ConnectError | "closed" | undefined;
  cancel(): Promise<void>;
}

/** Reads `stream` in the background until cancelled. */
function hold(stream: AsyncIterable<{ notification?: { text: string } | undefined }>, controller: AbortController): Held {
  const received: string[] = [];
  let end: ConnectError | "closed" | undefined;
  const reading = (async () => {
    try {
      for await (const res of stream) received.push(res.notification?.text ?? "");
      end = "closed";
    } catch (err) {
      if (!controller.signal.aborted) end = ConnectError.from(err);
    }
  })();
  return {
    received,
    ended: () => end,
    cancel: async () => {
      controller.abort();
      await reading;
    },
  };
}

describe("streams through the mesh", () => {
  it("keeps a quiet Subscribe stream open past the idle timeout, over gRPC and gRPC-web, and delivers on it", async () => {
    const userId = `u-quiet-${Date.now()}`;
    const headers = await headersFor(userId);
    const first = await direct.sendNotification({ userId, kind: NotificationKind.GENERIC, text: "before" });
    const after = { afterId: first.notification?.id ?? "" };
    const grpcCall = new AbortController();
    const webCall = new AbortController();
    const web = createClient(NotificationService, createGrpcWebTransport({ baseUrl: `http://${shop.gatewayAddress}` }));
    const streams = [
      hold(gateway.subscribe(after, { headers, signal: grpcCall.signal }), grpcCall),
      hold(web.subscribe(after, { headers, signal: webCall.signal }), webCall),
    ];
    try {
      await sleep(quietMs);
      expect(streams.map((s) => s.ended())).toEqual([undefined, undefined]);
      await direct.sendNotification({ userId, kind: NotificationKind.GENERIC, text: "after a quiet while" });
      await eventually(() => streams.every((s) => s.received.length === 1), { timeoutMs: 5_000, what: "the notification on both streams" });
      expect(streams.map((s) => s.received)).toEqual([["after a quiet while"], ["after a quiet while"]]);
    } finally {
      for (const s of streams) await s.cancel();
    }
  }, 30_000);
});
