// UserService against a real MongoDB-protocol server (FerretDB), with a signing key written to a
// temporary directory as keygen would: what a client, the gateway and an operator would see.
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { timestampMs } from "@bufbuild/protobuf/wkt";
import { Code, ConnectError } from "@connectrpc/connect";
import { createLocalJWKSet, decodeProtectedHeader, jwtVerify, type JSONWebKeySet } from "jose";
import { MongoClient } from "mongodb";
import { UserService } from "@shopmesh/gen/shop/user/v1/user_pb.js";
import { createGrpcClient, fieldViolations, type GrpcClient } from "@shopmesh/kit";
import { asUser, grpcurl, healthClient, rejection, startMongo, type HealthProbe, type TestStore } from "@shopmesh/testkit";
import { startUser, type UserApp } from "../src/app.js";
import { loadConfig } from "../src/config.js";
import { generateSigningKey, jwksFileContent } from "../src/keys.js";
import { captureLogs } from "@shopmesh/testkit";

/** The violations of an INVALID_ARGUMENT error as "field: description". */
async function invalid(promise: Promise<unknown>): Promise<string[]> {
  const err = await rejection(promise);
  expect(err.code).toBe(Code.InvalidArgument);
  return fieldViolations(err).map((v) => `${v.field}: ${v.description}`);
}

const dbName = "users_test";
const audience = "shop-test";
const ttlSeconds = 600;

describe("the user service", () => {
  let mongo: TestStore;
  let keyDir: string;
  let app: UserApp;
  let client: GrpcClient<typeof UserService>;
  let db: MongoClient;
  let health: HealthProbe;
  const logs = captureLogs();
  // Every password a test sends, to look for in the logs and the store afterwards.
  const passwords = new Set<string>();
  const pw = (p: string): string => {
    passwords.add(p);
    return p;
  };
  let serial = 0;
  const freshEmail = (): string => `user${++serial}-${Date.now()}@example.com`;

  beforeAll(async () => {
    mongo = await startMongo();
    keyDir = mkdtempSync(join(tmpdir(), "user-service-keys-"));
    const { key, pem } = await generateSigningKey();
    writeFileSync(join(keyDir, "jwt-es256.pem"), pem, { mode: 0o600 });
    writeFileSync(join(keyDir, "jwks.json"), jwksFileContent(key));
    const config = loadConfig({
      GRPC_PORT: "0",
      MONGO_URL: mongo.url,
      MONGO_DB: dbName,
      JWT_PRIVATE_KEY_FILE: join(keyDir, "jwt-es256.pem"),
      JWT_AUDIENCE: audience,
      TOKEN_TTL_SECONDS: String(ttlSeconds),
      PROBE_INTERVAL_MS: "100",
      SHUTDOWN_GRACE_MS: "1000",
    });
    app = await startUser(config, logs.logger);
    client = createGrpcClient(UserService, app.server.address, { defaultTimeoutMs: 10_000 });
    db = new MongoClient(mongo.url, { serverSelectionTimeoutMS: 2_000 });
    health = healthClient(app.server.address);
  });

  afterAll(async () => {
    health?.close();
    client?.close();
    await db?.close();
    await app?.stop();
    await mongo?.dispose();
    rmSync(keyDir, { recursive: true, force: true });
  });

  const users = () => db.db(dbName).collection("users");

  describe("Register", () => {
    it("creates an account with a trimmed, lowercased email and a trimmed display name", async () => {
      const before = Date.now();
      const { user } = await client.register({
        email: "  Ada.Lovelace@Example.COM ",
        password: pw("analytical-engine"),
        displayName: "  Ada  ",
      });
      expect(user?.id).toMatch(/^[A-Za-z0-9-]{1,64}$/);
      expect(user?.email).toBe("ada.lovelace@example.com");
      expect(user?.displayName).toBe("Ada");
      const created = user?.createTime ? timestampMs(user.createTime) : 0;
      expect(created).toBeGreaterThanOrEqual(before - 1_000);
      expect(created).toBeLessThanOrEqual(Date.now() + 1_000);
    });

    it("stores a salted scrypt hash and never the password", async () => {
      const email = freshEmail();
      const password = pw("plain-Text-Never-Stored-71");
      const { user } = await client.register({ email, password, displayName: "Hash Check" });
      const doc = await users().findOne({ email });
      expect(doc).not.toBeNull();
      expect(doc?.["_id"]).toBe(user?.id);
      expect(doc?.["passwordHash"]).toMatch(/^\$scrypt\$ln=15,r=8,p=1\$[A-Za-z0-9+/]+\$[A-Za-z0-9+/]+$/);
      expect(JSON.stringify(doc)).not.toContain(password);
      expect(Object.keys(doc ?? {}).sort()).toEqual(["_id", "createTime", "displayName", "email", "passwordHash"]);
    });

    it("answers ALREADY_EXISTS for an email that differs only in case", async () => {
      const email = freshEmail();
      await client.register({ email, password: pw("first-password"), displayName: "First" });
      const err = await rejection(
        client.register({ email: ` ${email.toUpperCase()} `, password: pw("second-password"), displayName: "Second" }),
      );
      expect(err.code).toBe(Code.AlreadyExists);
      expect(err.rawMessage).toBe(`an account with email ${email} already exists`);
    });

    it("lets exactly one of two concurrent registrations of one email win", async () => {
      const email = freshEmail();
      const results = await Promise.allSettled([
        client.register({ email, password: pw("racer-one-pass"), displayName: "One" }),
        client.register({ email: email.toUpperCase(), password: pw("racer-two-pass"), displayName: "Two" }),
      ]);
      expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
      const lost = results.find((r) => r.status === "rejected");
      expect(lost?.reason).toBeInstanceOf(ConnectError);
      expect((lost?.reason as ConnectError | undefined)?.code).toBe(Code.AlreadyExists);
      expect(await users().countDocuments({ email })).toBe(1);
    });

    it("rejects each bad field with INVALID_ARGUMENT and its field path", async () => {
      const ok = { email: "valid@example.com", password: pw("long-enough"), displayName: "Valid" };
      expect(await invalid(client.register({ ...ok, email: "" }))).toEqual(["email: must not be empty"]);
      expect(await invalid(client.register({ ...ok, email: "   " }))).toEqual(["email: must not be empty"]);
      for (const email of ["no-at-sign.example.com", "a@b", "two@@example.com", "sp ace@example.com", "@example.com"]) {
        expect(await invalid(client.register({ ...ok, email }))).toEqual(["email: must be an email address of the form local@domain.tld"]);
      }
      expect(await invalid(client.register({ ...ok, email: `${"x".repeat(243)}@example.com` }))).toEqual([
        "email: must be at most 254 characters",
      ]);
      expect(await invalid(client.register({ ...ok, password: pw("seven77") }))).toEqual(["password: must be at least 8 characters"]);
      expect(await invalid(client.register({ ...ok, password: "" }))).toEqual(["password: must be at least 8 characters"]);
      expect(await invalid(client.register({ ...ok, password: pw("p".repeat(129)) }))).toEqual([
        "password: must be at most 128 characters",
      ]);
      expect(await invalid(client.register({ ...ok, displayName: "" }))).toEqual(["display_name: must not be blank"]);
      expect(await invalid(client.register({ ...ok, displayName: " \t " }))).toEqual(["display_name: must not be blank"]);
      expect(await invalid(client.register({ ...ok, displayName: "n".repeat(101) }))).toEqual([
        "display_name: must be at most 100 characters",
      ]);
      expect(await invalid(client.register({ ...ok, displayName: "tab\tinside" }))).toEqual([
        "display_name: must not contain control characters",
      ]);
      // Every bad field at once, so a client can fix them in one round trip; nothing was stored.
      expect(await invalid(client.register({ email: "nope", password: pw("short"), displayName: "" }))).toEqual([
        "email: must be an email address of the form local@domain.tld",
        "password: must be at least 8 characters",
        "display_name: must not be blank",
      ]);
      expect(await users().countDocuments({ email: "valid@example.com" })).toBe(0);
    });

    it("never repeats a bad password in the error", async () => {
      const err = await rejection(client.register({ email: freshEmail(), password: pw("Xq7#zz"), displayName: "Short" }));
      expect(err.rawMessage).toBe("invalid password: must be at least 8 characters");
      expect(JSON.stringify(fieldViolations(err))).not.toContain("Xq7#zz");
    });
  });

  describe("Login", () => {
    const email = "grace.hopper@example.com";
    const password = "c0bol-compiler-1959";
    let userId = "";

    beforeAll(async () => {
      passwords.add(password);
      userId = (await client.register({ email, password, displayName: "Grace" })).user?.id ?? "";
    });

    it("issues an ES256 token that verifies against jwks.json, for the user's id", async () => {
      const before = Math.floor(Date.now() / 1000);
      const res = await client.login({ email: "  Grace.Hopper@EXAMPLE.com ", password });
      expect(res.user).toMatchObject({ id: userId, email, displayName: "Grace" });
      const jwks = JSON.parse(readFileSync(join(keyDir, "jwks.json"), "utf8")) as JSONWebKeySet;
      const { payload, protectedHeader } = await jwtVerify(res.accessToken, createLocalJWKSet(jwks), {
        issuer: "shopmesh",
        audience,
        algorithms: ["ES256"],
      });
      expect(protectedHeader.alg).toBe("ES256");
      expect(protectedHeader.kid).toBe(jwks.keys[0]?.kid);
      expect(payload.sub).toBe(userId);
      expect(payload.iat).toBeGreaterThanOrEqual(before);
      expect(payload.exp).toBe((payload.iat ?? 0) + ttlSeconds);
      expect(res.expireTime && timestampMs(res.expireTime)).toBe((payload.exp ?? 0) * 1000);
      expect(JSON.stringify(payload)).not.toContain(password);
    });

    it("answers a wrong password and an unknown email with the same UNAUTHENTICATED message", async () => {
      const wrong = await rejection(client.login({ email, password: pw("not-the-password") }));
      const unknown = await rejection(client.login({ email: "nobody@example.com", password }));
      expect(wrong.code).toBe(Code.Unauthenticated);
      expect(unknown.code).toBe(Code.Unauthenticated);
      expect(wrong.rawMessage).toBe("wrong email or password");
      expect(unknown.rawMessage).toBe(wrong.rawMessage);
      expect(unknown.details).toEqual(wrong.details);
    });

    it("takes about as long for an unknown email as for a wrong password", async () => {
      const time = async (call: Promise<unknown>): Promise<number> => {
        const started = performance.now();
        await rejection(call);
        return performance.now() - started;
      };
      const wrong: number[] = [];
      const unknown: number[] = [];
      for (let i = 0; i < 3; i++) {
        wrong.push(await time(client.login({ email, password: pw("wrong-guess-123") })));
        unknown.push(await time(client.login({ email: `ghost${i}@example.com`, password: "wrong-guess-123" })));
      }
      const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[1] ?? 0;
      // Without the decoy verification an unknown email answers in a few ms against ~100 ms.
      expect(median(unknown)).toBeGreaterThan(0.5 * median(wrong));
    });

    it("rejects an empty email or password with INVALID_ARGUMENT and its field path", async () => {
      expect(await invalid(client.login({ email: "", password }))).toEqual(["email: must not be empty"]);
      expect(await invalid(client.login({ email: "  ", password }))).toEqual(["email: must not be empty"]);
      expect(await invalid(client.login({ email, password: "" }))).toEqual(["password: must not be empty"]);
      expect(await invalid(client.login({ email: "", password: "" }))).toEqual(["email: must not be empty", "password: must not be empty"]);
    });
  });

  describe("GetMe", () => {
    it("returns the caller's account", async () => {
      const { user } = await client.register({ email: freshEmail(), password: pw("who-am-i-pass"), displayName: "Me Myself" });
      const me = await client.getMe({}, asUser(user?.id ?? ""));
      expect(me.user).toEqual(user);
    });

    it("answers UNAUTHENTICATED without an identity (or with a malformed one)", async () => {
      const none = await rejection(client.getMe({}));
      expect(none.code).toBe(Code.Unauthenticated);
      const malformed = await rejection(client.getMe({}, asUser("not a valid id!")));
      expect(malformed.code).toBe(Code.Unauthenticated);
    });

    it("answers NOT_FOUND when the caller's id names no account", async () => {
      const err = await rejection(client.getMe({}, asUser("0b3c7e3e-0000-4000-8000-000000000000")));
      expect(err.code).toBe(Code.NotFound);
      expect(err.rawMessage).toBe("user 0b3c7e3e-0000-4000-8000-000000000000 not found");
    });
  });

  describe("from a terminal", () => {
    it("lists, describes and calls the service with grpcurl", async () => {
      const address = app.server.address;
      const list = await grpcurl([address, "list"]);
      expect(list.stdout.split("\n")).toContain("shop.user.v1.UserService");
      const describe = await grpcurl([address, "describe", "shop.user.v1.UserService"]);
      expect(describe.stdout).toContain("rpc Register ( .shop.user.v1.RegisterRequest ) returns ( .shop.user.v1.RegisterResponse )");
      const email = freshEmail();
      const call = await grpcurl([address, "shop.user.v1.UserService/Register"], {
        data: { email, password: pw("from-a-terminal"), display_name: "Terminal" },
      });
      expect(call.exitCode).toBe(0);
      expect(JSON.parse(call.stdout)).toMatchObject({ user: { email, displayName: "Terminal" } });
      const bad = await grpcurl([address, "shop.user.v1.UserService/Register"], { data: { email, password: "x", display_name: "T" } });
      expect(bad.exitCode).not.toBe(0);
      expect(bad.stderr).toContain("Code: InvalidArgument");
      expect(bad.stderr).toContain("invalid password: must be at least 8 characters");
    });
  });

  describe("logs", () => {
    it("hold one line per RPC and never a password or a password hash", async () => {
      const text = logs.text();
      expect(logs.lines().filter((l) => l["msg"] === "rpc" && l["method"] === "/shop.user.v1.UserService/Login").length).toBeGreaterThan(5);
      expect(passwords.size).toBeGreaterThan(10);
      for (const password of passwords) expect(text).not.toContain(password);
      const hashes = await users()
        .find({}, { projection: { passwordHash: 1 } })
        .toArray();
      expect(hashes.length).toBeGreaterThan(3);
      for (const { passwordHash } of hashes) {
        expect(text).not.toContain(String(passwordHash).split("$").pop());
      }
      expect(logs.lines().some((l) => l["msg"] === "token signing key loaded" && l["kid"] === app.signingKey.kid)).toBe(true);
    });
  });

  // Last: it stops the store.
  describe("health", () => {
    it("is NOT_SERVING while MongoDB is down (calls get UNAVAILABLE) and SERVING once it is back", async () => {
      if (!mongo.managed) return; // MONGO_URL given: the test cannot stop that server.
      const { user } = await client.register({ email: freshEmail(), password: pw("survives-outage"), displayName: "Durable" });
      await health.waitFor("SERVING", "shop.user.v1.UserService");
      await mongo.stop();
      await health.waitFor("NOT_SERVING", "shop.user.v1.UserService");
      expect(await health.check()).toBe("NOT_SERVING");
      const down = await rejection(client.getMe({}, asUser(user?.id ?? "")));
      expect(down.code).toBe(Code.Unavailable);
      expect(down.rawMessage).toBe("user store is unavailable; try again shortly");
      await mongo.start();
      await health.waitFor("SERVING", "shop.user.v1.UserService");
      expect((await client.getMe({}, asUser(user?.id ?? ""))).user?.displayName).toBe("Durable");
      expect(decodeProtectedHeader((await client.login({ email: user?.email ?? "", password: "survives-outage" })).accessToken).kid).toBe(
        app.signingKey.kid,
      );
    });
  });
});
