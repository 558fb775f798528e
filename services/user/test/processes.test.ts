// The keygen CLI and the service process, run as real processes from the compiled dist/ (tsc -b
// builds it before Jest runs): what an operator sees.
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { once } from "node:events";
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { createLocalJWKSet, jwtVerify, type JSONWebKeySet } from "jose";
import { grpcurl, startChild, startMongo, type Child, type TestStore } from "@shopmesh/testkit";
import { readSigningKeyFile } from "../src/keys.js";

const dist = (file: string): string => fileURLToPath(new URL(`../dist/src/${file}`, import.meta.url));
const keygenJs = dist("keygen.js");
const mainJs = dist("main.js");

/** Runs a process to its end; resolves with its exit code and output. */
async function run(script: string, args: string[], env: Record<string, string> = {}): Promise<{ code: number; output: string }> {
  const child = startChild(process.execPath, [script, ...args], { env: { PATH: process.env["PATH"] ?? "", ...env } });
  const [code] = (await once(child.process, "exit")) as [number];
  return { code, output: child.output() };
}

describe("processes", () => {
  const tmp = mkdtempSync(join(tmpdir(), "user-processes-"));
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  describe("keygen", () => {
    const dir = join(tmp, "keys", "nested");
    const pemPath = join(dir, "jwt-es256.pem");
    const jwksPath = join(dir, "jwks.json");

    it("creates the directory, a 0600 PKCS#8 key and the JWKS with its thumbprint kid", async () => {
      const { code, output } = await run(keygenJs, [dir]);
      expect(code).toBe(0);
      expect(output.trim().split("\n")).toHaveLength(1);
      expect(output).toContain(`wrote ${pemPath} and ${jwksPath}`);
      expect(statSync(pemPath).mode & 0o777).toBe(0o600);
      expect(readFileSync(pemPath, "utf8")).toMatch(/^-----BEGIN PRIVATE KEY-----\n[\s\S]+\n-----END PRIVATE KEY-----\n$/);
      const jwks = JSON.parse(readFileSync(jwksPath, "utf8")) as JSONWebKeySet;
      const key = await readSigningKeyFile(pemPath);
      expect(jwks).toEqual({ keys: [{ ...key.publicJwk }] });
      expect(jwks.keys[0]).not.toHaveProperty("d");
      expect(output).toContain(`(kid ${key.kid})`);
    });

    it("leaves both files byte for byte alone when the key exists", async () => {
      const pem = readFileSync(pemPath);
      const jwks = readFileSync(jwksPath);
      const { code, output } = await run(keygenJs, [dir]);
      expect(code).toBe(0);
      expect(output.trim()).toBe(`keygen: ${pemPath} exists; left jwt-es256.pem and jwks.json as they are`);
      expect(readFileSync(pemPath).equals(pem)).toBe(true);
      expect(readFileSync(jwksPath).equals(jwks)).toBe(true);
    });

    it("rebuilds only a missing jwks.json, from the existing key", async () => {
      const pem = readFileSync(pemPath);
      const jwks = readFileSync(jwksPath);
      rmSync(jwksPath);
      const { code, output } = await run(keygenJs, [dir]);
      expect(code).toBe(0);
      expect(output).toContain(`exists; wrote ${jwksPath} from it`);
      expect(readFileSync(pemPath).equals(pem)).toBe(true);
      expect(readFileSync(jwksPath).equals(jwks)).toBe(true);
    });

    it("prints its usage without a directory", async () => {
      const { code, output } = await run(keygenJs, []);
      expect(code).toBe(2);
      expect(output.trim()).toBe("usage: node services/user/dist/src/keygen.js <dir>");
    });
  });

  describe("the service without a usable key", () => {
    const base = { GRPC_PORT: "0", MONGO_URL: "mongodb://127.0.0.1:9" };

    it("exits 1 with one line naming JWT_PRIVATE_KEY_FILE when the file is missing", async () => {
      const missing = join(tmp, "no-such-dir", "jwt-es256.pem");
      const { code, output } = await run(mainJs, [], { ...base, JWT_PRIVATE_KEY_FILE: missing });
      expect(code).toBe(1);
      const lines = output.trim().split("\n");
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(/^config: JWT_PRIVATE_KEY_FILE must name a readable PEM file/);
      expect(lines[0]).toContain(`${missing}: no such file`);
    });

    it("exits 1 with one line naming JWT_PRIVATE_KEY_FILE when the file holds no EC P-256 key", async () => {
      const wrong = join(tmp, "not-a-key.pem");
      writeFileSync(wrong, '{"keys":[]}');
      const { code, output } = await run(mainJs, [], { ...base, JWT_PRIVATE_KEY_FILE: wrong });
      expect(code).toBe(1);
      expect(output.trim().split("\n")).toEqual([
        expect.stringContaining(
          `JWT_PRIVATE_KEY_FILE must name a readable PEM file with a PKCS#8 EC P-256 private key (${wrong}: not a PKCS#8`,
        ),
      ]);
    });

    it("exits 1 with one config line when JWT_PRIVATE_KEY_FILE is not set", async () => {
      const { code, output } = await run(mainJs, [], base);
      expect(code).toBe(1);
      expect(output.trim()).toBe(
        "config: JWT_PRIVATE_KEY_FILE must be set to the path of the PEM file with the token signing key (not set)",
      );
    });
  });

  describe("the service with keygen's key", () => {
    let mongo: TestStore;
    let service: Child | undefined;

    beforeAll(async () => {
      mongo = await startMongo();
    });

    afterAll(async () => {
      await service?.stop();
      await mongo.dispose();
    });

    it("serves Register and Login from env config alone, tokens verifying with keygen's jwks.json, and exits 0 on SIGTERM", async () => {
      const dir = join(tmp, "served-keys");
      expect((await run(keygenJs, [dir])).code).toBe(0);
      const child = startChild(process.execPath, [mainJs], {
        env: {
          PATH: process.env["PATH"] ?? "",
          GRPC_PORT: "0",
          MONGO_URL: mongo.url,
          JWT_PRIVATE_KEY_FILE: join(dir, "jwt-es256.pem"),
          SHUTDOWN_GRACE_MS: "1000",
        },
      });
      service = child;
      let address: string | undefined;
      const deadline = Date.now() + 15_000;
      while (address === undefined && Date.now() < deadline && child.process.exitCode === null) {
        address = child
          .output()
          .split("\n")
          .filter((l) => l.startsWith("{"))
          .map((l) => JSON.parse(l) as { msg: string; address?: string })
          .find((l) => l.msg === "listening")?.address;
        if (address === undefined) await new Promise((r) => setTimeout(r, 50));
      }
      expect(address).toMatch(/^127\.0\.0\.1:\d+$/);
      const target = address ?? "";
      const registered = await grpcurl([target, "shop.user.v1.UserService/Register"], {
        data: { email: "Proc@Example.com", password: "process-password", display_name: "Proc" },
      });
      expect(registered.exitCode).toBe(0);
      const login = await grpcurl([target, "shop.user.v1.UserService/Login"], {
        data: { email: "proc@example.com", password: "process-password" },
      });
      expect(login.exitCode).toBe(0);
      const { accessToken, user } = JSON.parse(login.stdout) as { accessToken: string; user: { id: string } };
      const jwks = JSON.parse(readFileSync(join(dir, "jwks.json"), "utf8")) as JSONWebKeySet;
      const { payload } = await jwtVerify(accessToken, createLocalJWKSet(jwks), { issuer: "shopmesh", audience: "shopmesh" });
      expect(payload.sub).toBe(user.id);
      expect(child.output()).not.toContain("process-password");

      child.process.kill("SIGTERM");
      const [code] = (await once(child.process, "exit")) as [number];
      expect(code).toBe(0);
      expect(existsSync(join(dir, "jwt-es256.pem"))).toBe(true);
    });
  });
});
