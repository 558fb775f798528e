// SendNotification and ListNotifications against a real redis-server, through the gRPC client
// and the real grpcurl; health while Redis is down and back.
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { Code } from "@connectrpc/connect";
import { timestampMs } from "@bufbuild/protobuf/wkt";
import { NotificationKind } from "@shopmesh/gen/shop/notification/v1/notification_pb.js";
import { fieldViolations } from "@shopmesh/kit";
import { asUser, grpcurl, healthClient, rejection, startRedis, type HealthProbe, type TestStore } from "@shopmesh/testkit";
import { startService, type RunningService } from "./helpers.js";

describe("notification service", () => {
  let redis: TestStore;
  let service: RunningService;
  let health: HealthProbe;

  beforeAll(async () => {
    redis = await startRedis();
    service = await startService(redis.url);
    health = healthClient(service.app.server.address);
  });

  afterAll(async () => {
    health.close();
    await service?.stop();
    await redis?.dispose();
  });

  const send = (userId: string, text: string, kind = NotificationKind.GENERIC) => service.client.sendNotification({ userId, kind, text });

  const sendMany = async (userId: string, count: number): Promise<string[]> => {
    const ids: string[] = [];
    for (let i = 1; i <= count; i++) ids.push((await send(userId, `n${i}`)).notification?.id ?? "");
    return ids;
  };

  describe("SendNotification", () => {
    it("stores the notification and returns it with an id and a create time", async () => {
      const before = Date.now();
      const res = await send("u-send", "Your order o-1 is confirmed.", NotificationKind.ORDER_CONFIRMED);
      expect(res.notification).toMatchObject({
        userId: "u-send",
        kind: NotificationKind.ORDER_CONFIRMED,
        text: "Your order o-1 is confirmed.",
      });
      expect(res.notification?.id).toMatch(/^.{1,64}$/);
      const created = timestampMs(res.notification!.createTime!);
      expect(created).toBeGreaterThanOrEqual(before - 1_000);
      expect(created).toBeLessThanOrEqual(Date.now() + 1_000);

      const listed = await service.client.listNotifications({}, asUser("u-send"));
      expect(listed.notifications).toEqual([res.notification]);
    });

    it("is not idempotent: the same request twice makes two notifications", async () => {
      const a = await send("u-twice", "same");
      const b = await send("u-twice", "same");
      expect(a.notification?.id).not.toBe(b.notification?.id);
      expect((await service.client.listNotifications({}, asUser("u-twice"))).notifications).toHaveLength(2);
    });

    it("accepts the longest user id and text, counted in characters", async () => {
      const userId = "ü".repeat(64);
      const text = "😀".repeat(1000);
      const res = await send(userId, text);
      expect(res.notification).toMatchObject({ userId, text });
    });

    it.each([
      ["an empty user_id", { userId: "" }, ["user_id"]],
      ["a user_id over 64 characters", { userId: "u".repeat(65) }, ["user_id"]],
      ["kind UNSPECIFIED", { kind: NotificationKind.UNSPECIFIED }, ["kind"]],
      ["an unknown kind", { kind: 99 as NotificationKind }, ["kind"]],
      ["an empty text", { text: "" }, ["text"]],
      ["a blank text", { text: " \t\n " }, ["text"]],
      ["a text over 1000 characters", { text: "x".repeat(1001) }, ["text"]],
      ["everything wrong", { userId: "", kind: NotificationKind.UNSPECIFIED, text: " " }, ["user_id", "kind", "text"]],
    ])("rejects %s with INVALID_ARGUMENT naming the field", async (_, change, fields) => {
      const err = await rejection(
        service.client.sendNotification({ userId: "u-bad", kind: NotificationKind.GENERIC, text: "hi", ...change }),
      );
      expect(err.code).toBe(Code.InvalidArgument);
      expect(fieldViolations(err).map((v) => v.field)).toEqual(fields);
    });
  });

  describe("ListNotifications", () => {
    it("pages newest first, each notification exactly once", async () => {
      const ids = await sendMany("u-page", 5);
      const pages: string[][] = [];
      let pageToken = "";
      do {
        const res = await service.client.listNotifications({ pageSize: 2, pageToken }, asUser("u-page"));
        pages.push(res.notifications.map((n) => n.id));
        pageToken = res.nextPageToken;
      } while (pageToken !== "" && pages.length < 10);
      const newestFirst = [...ids].reverse();
      expect(pages).toEqual([newestFirst.slice(0, 2), newestFirst.slice(2, 4), newestFirst.slice(4)]);
    });

    it("keeps later pages in place when notifications arrive while paging", async () => {
      const ids = await sendMany("u-shift", 4);
      const first = await service.client.listNotifications({ pageSize: 2 }, asUser("u-shift"));
      await send("u-shift", "newer");
      const second = await service.client.listNotifications({ pageSize: 2, pageToken: first.nextPageToken }, asUser("u-shift"));
      expect(second.notifications.map((n) => n.id)).toEqual([ids[1], ids[0]]);
      expect(second.nextPageToken).toBe("");
    });

    it("answers 20 by default and at most 100 however many are asked for", async () => {
      const ids = await sendMany("u-big", 101);
      const byDefault = await service.client.listNotifications({}, asUser("u-big"));
      expect(byDefault.notifications).toHaveLength(20);
      const huge = await service.client.listNotifications({ pageSize: 5_000 }, asUser("u-big"));
      expect(huge.notifications).toHaveLength(100);
      const rest = await service.client.listNotifications({ pageSize: 5_000, pageToken: huge.nextPageToken }, asUser("u-big"));
      expect(rest.notifications.map((n) => n.id)).toEqual([ids[0]]);
      expect(rest.nextPageToken).toBe("");
    });

    it("shows only the caller's notifications", async () => {
      await send("u-alice", "for alice");
      await send("u-bob", "for bob");
      const alice = await service.client.listNotifications({}, asUser("u-alice"));
      expect(alice.notifications.map((n) => [n.userId, n.text])).toEqual([["u-alice", "for alice"]]);
      const nobody = await service.client.listNotifications({}, asUser("u-nobody"));
      expect(nobody).toMatchObject({ notifications: [], nextPageToken: "" });
    });

    it("answers UNAUTHENTICATED without a caller", async () => {
      const err = await rejection(service.client.listNotifications({}));
      expect(err.code).toBe(Code.Unauthenticated);
    });

    it("rejects a negative page_size", async () => {
      const err = await rejection(service.client.listNotifications({ pageSize: -1 }, asUser("u-page")));
      expect(err.code).toBe(Code.InvalidArgument);
      expect(fieldViolations(err).map((v) => v.field)).toEqual(["page_size"]);
    });

    it("rejects a malformed, tampered or another user's page_token", async () => {
      await sendMany("u-token", 3);
      const { nextPageToken } = await service.client.listNotifications({ pageSize: 1 }, asUser("u-token"));
      expect(nextPageToken).not.toBe("");
      const [payload = "", signature = ""] = nextPageToken.split(".");
      const otherPayload = Buffer.from(JSON.stringify({ u: "u-token", c: "0-1" })).toString("base64url");
      const flipped = (signature[0] === "A" ? "B" : "A") + signature.slice(1);
      const cases: [string, string, RegExp][] = [
        ["garbage", "u-token", /malformed/],
        [`${payload}.${flipped}`, "u-token", /not issued by this service or was changed/],
        [`${otherPayload}.${signature}`, "u-token", /not issued by this service or was changed/],
        [nextPageToken, "u-someone-else", /another user/],
      ];
      for (const [pageToken, userId, description] of cases) {
        const err = await rejection(service.client.listNotifications({ pageToken }, asUser(userId)));
        expect(err.code).toBe(Code.InvalidArgument);
        expect(fieldViolations(err).map((v) => v.field)).toEqual(["page_token"]);
        expect(fieldViolations(err)[0]?.description).toMatch(description);
      }
    });
  });

  describe("history limit", () => {
    it("keeps only the newest notifications of each user", async () => {
      const small = await startService(redis.url, { NOTIFICATION_HISTORY_LIMIT: "5" });
      try {
        const ids: string[] = [];
        for (let i = 1; i <= 8; i++) {
          ids.push(
            (await small.client.sendNotification({ userId: "u-cap", kind: NotificationKind.GENERIC, text: `n${i}` })).notification?.id ??
              "",
          );
        }
        const res = await small.client.listNotifications({ pageSize: 100 }, asUser("u-cap"));
        expect(res.notifications.map((n) => n.text)).toEqual(["n8", "n7", "n6", "n5", "n4"]);
        expect(res.notifications.map((n) => n.id)).toEqual(ids.slice(3).reverse());
        expect(res.nextPageToken).toBe("");
      } finally {
        await small.stop();
      }
    });
  });

  describe("with the real grpcurl", () => {
    it("lists and describes the service", async () => {
      const list = await grpcurl([service.app.server.address, "list"]);
      expect(list.exitCode).toBe(0);
      expect(list.stdout.split("\n")).toContain("shop.notification.v1.NotificationService");
      const describe = await grpcurl([service.app.server.address, "describe", "shop.notification.v1.NotificationService"]);
      expect(describe.exitCode).toBe(0);
      expect(describe.stdout).toContain(
        "rpc Subscribe ( .shop.notification.v1.SubscribeRequest ) returns ( stream .shop.notification.v1.SubscribeResponse );",
      );
    });

    it("sends a notification and lists it as the user", async () => {
      const sent = await grpcurl([service.app.server.address, "shop.notification.v1.NotificationService/SendNotification"], {
        data: { user_id: "u1", kind: "NOTIFICATION_KIND_ORDER_SHIPPED", text: "Your order o-7 has shipped." },
      });
      expect(sent.stderr).toBe("");
      expect(sent.exitCode).toBe(0);
      const { notification } = JSON.parse(sent.stdout) as { notification: { id: string; userId: string; kind: string } };
      expect(notification).toMatchObject({ userId: "u1", kind: "NOTIFICATION_KIND_ORDER_SHIPPED" });

      const listed = await grpcurl([
        "-H",
        "x-shop-user-id: u1",
        service.app.server.address,
        "shop.notification.v1.NotificationService/ListNotifications",
      ]);
      expect(listed.exitCode).toBe(0);
      const body = JSON.parse(listed.stdout) as { notifications: { id: string; text: string }[] };
      expect(body.notifications[0]).toMatchObject({ id: notification.id, text: "Your order o-7 has shipped." });
    });

    it("shows a bad request's code and field violation", async () => {
      const res = await grpcurl(
        ["-format-error", service.app.server.address, "shop.notification.v1.NotificationService/SendNotification"],
        {
          data: { user_id: "u1", kind: "NOTIFICATION_KIND_GENERIC", text: "   " },
        },
      );
      expect(res.exitCode).not.toBe(0);
      const error = JSON.parse(res.stderr) as { code: number; details: { fieldViolations: { field: string }[] }[] };
      expect(error.code).toBe(Code.InvalidArgument);
      expect(error.details[0]?.fieldViolations.map((v) => v.field)).toEqual(["text"]);
    });
  });

  // Last: it stops Redis (which loses its data on restart).
  describe("while Redis is down", () => {
    it("is NOT_SERVING and answers UNAVAILABLE, then serves again once Redis is back", async () => {
      await health.waitFor("SERVING", "shop.notification.v1.NotificationService");
      await redis.stop();
      try {
        await health.waitFor("NOT_SERVING", "shop.notification.v1.NotificationService");
        expect((await rejection(send("u-outage", "lost"))).code).toBe(Code.Unavailable);
        expect((await rejection(service.client.listNotifications({}, asUser("u-outage")))).code).toBe(Code.Unavailable);
      } finally {
        await redis.start();
      }
      await health.waitFor("SERVING", "shop.notification.v1.NotificationService");
      await health.waitFor("SERVING");
      // SERVING means the shared connection answered the probe again: it reconnected by itself.
      await send("u-outage", "back");
      const listed = await service.client.listNotifications({}, asUser("u-outage"));
      expect(listed.notifications.map((n) => n.text)).toEqual(["back"]);
    });
  });
});
