// The signing key module: generate → PEM → load → sign → verify with the published JWKS.
import { afterAll, describe, expect, it } from "@jest/globals";
import { createHash, generateKeyPairSync } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createLocalJWKSet, decodeProtectedHeader, jwtVerify } from "jose";
import { generateSigningKey, jwksFileContent, jwksOf, readSigningKeyFile, signingKeyFromPem } from "../src/keys.js";
import { createTokenIssuer } from "../src/tokens.js";

describe("signing keys", () => {
  it("survive the round trip through PKCS#8 PEM with the same kid", async () => {
    const { key, pem } = await generateSigningKey();
    expect(pem).toMatch(/^-----BEGIN PRIVATE KEY-----\n/);
    const loaded = await signingKeyFromPem(pem);
    expect(loaded.kid).toBe(key.kid);
    expect(loaded.publicJwk).toEqual(key.publicJwk);
  });

  it("publish only the public half, with kid = the RFC 7638 thumbprint", async () => {
    const { key } = await generateSigningKey();
    const jwks = JSON.parse(jwksFileContent(key)) as { keys: Record<string, string>[] };
    expect(jwks.keys).toHaveLength(1);
    const jwk = jwks.keys[0] ?? {};
    expect(Object.keys(jwk).sort()).toEqual(["alg", "crv", "kid", "kty", "use", "x", "y"]);
    expect(jwk).toMatchObject({ kty: "EC", crv: "P-256", alg: "ES256", use: "sig" });
    // RFC 7638: SHA-256 of the required members in lexicographic order, no whitespace.
    const canonical = `{"crv":"P-256","kty":"EC","x":"${jwk["x"]}","y":"${jwk["y"]}"}`;
    expect(jwk["kid"]).toBe(createHash("sha256").update(canonical).digest("base64url"));
  });

  it("sign tokens that verify against the JWKS with issuer and audience checked", async () => {
    const { key, pem } = await generateSigningKey();
    const issuer = createTokenIssuer({ key: await signingKeyFromPem(pem), issuer: "shopmesh", audience: "shop-edge", ttlSeconds: 900 });
    const now = Date.now();
    const { token, expireTime } = await issuer.issue("user-42", now);
    const jwks = createLocalJWKSet(jwksOf(key) as Parameters<typeof createLocalJWKSet>[0]);
    const { payload, protectedHeader } = await jwtVerify(token, jwks, { issuer: "shopmesh", audience: "shop-edge", algorithms: ["ES256"] });
    expect(protectedHeader).toEqual({ alg: "ES256", kid: key.kid, typ: "JWT" });
    expect(payload.sub).toBe("user-42");
    expect(payload.iat).toBe(Math.floor(now / 1000));
    expect(payload.exp).toBe(Math.floor(now / 1000) + 900);
    expect(expireTime.getTime()).toBe((payload.exp ?? 0) * 1000);
    await expect(jwtVerify(token, jwks, { issuer: "shopmesh", audience: "someone-else" })).rejects.toThrow(/aud/);
  });

  it("do not verify with another key's JWKS", async () => {
    const a = await generateSigningKey();
    const b = await generateSigningKey();
    const { token } = await createTokenIssuer({ key: a.key, issuer: "i", audience: "a", ttlSeconds: 60 }).issue("u", Date.now());
    // Same kid lookup fails first; with b's key under a's kid the signature fails.
    const forged = { keys: [{ ...b.key.publicJwk, kid: a.key.kid }] };
    await expect(jwtVerify(token, createLocalJWKSet(forged as Parameters<typeof createLocalJWKSet>[0]))).rejects.toThrow(/signature/);
    expect(decodeProtectedHeader(token).kid).toBe(a.key.kid);
  });

  describe("read from a file", () => {
    const dir = mkdtempSync(join(tmpdir(), "user-keys-"));
    afterAll(() => rmSync(dir, { recursive: true, force: true }));
    const write = (name: string, content: string): string => {
      const path = join(dir, name);
      writeFileSync(path, content);
      return path;
    };

    it("load a key keygen would write", async () => {
      const { key, pem } = await generateSigningKey();
      expect((await readSigningKeyFile(write("good.pem", pem))).kid).toBe(key.kid);
    });

    it("name the file and the problem when it is missing, a directory or not a P-256 PKCS#8 key", async () => {
      await expect(readSigningKeyFile(join(dir, "missing.pem"))).rejects.toThrow(`${join(dir, "missing.pem")}: no such file`);
      await expect(readSigningKeyFile(dir)).rejects.toThrow(`${dir}: is a directory, not a file`);
      const p384 = generateKeyPairSync("ec", { namedCurve: "P-384" }).privateKey.export({ type: "pkcs8", format: "pem" }).toString();
      const sec1 = generateKeyPairSync("ec", { namedCurve: "P-256" }).privateKey.export({ type: "sec1", format: "pem" }).toString();
      const rsa = generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({ type: "pkcs8", format: "pem" }).toString();
      for (const [name, content] of [
        ["p384.pem", p384],
        ["sec1.pem", sec1],
        ["rsa.pem", rsa],
        ["jwks.json", '{"keys":[]}'],
      ] as const) {
        const path = write(name, content);
        await expect(readSigningKeyFile(path)).rejects.toThrow(`${path}: not a PKCS#8 PEM EC P-256 (ES256) private key`);
      }
    });
  });
});
