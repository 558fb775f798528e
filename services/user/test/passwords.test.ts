// Password hashing: scrypt with a random salt, parameters stored with the hash.
import { describe, expect, it } from "@jest/globals";
import {
  decoyPasswordHash,
  defaultScryptParams,
  formatPasswordHash,
  hashPassword,
  parsePasswordHash,
  verifyPassword,
} from "../src/passwords.js";

// Cheap parameters where the cost is not what a test is about.
const fast = { log2N: 10, r: 8, p: 1 };

describe("password hashes", () => {
  it("verify the right password and reject a wrong one", async () => {
    const stored = await hashPassword("correct horse battery", fast);
    await expect(verifyPassword("correct horse battery", stored)).resolves.toBe(true);
    await expect(verifyPassword("correct horse batterY", stored)).resolves.toBe(false);
    await expect(verifyPassword("", stored)).resolves.toBe(false);
  });

  it("store the default parameters, a 16-byte salt and a 32-byte key, never the password", async () => {
    const stored = await hashPassword("s3cret-passw0rd");
    expect(stored).toMatch(/^\$scrypt\$ln=15,r=8,p=1\$[A-Za-z0-9+/]+\$[A-Za-z0-9+/]+$/);
    expect(stored).not.toContain("s3cret-passw0rd");
    const parsed = parsePasswordHash(stored);
    expect(parsed?.params).toEqual(defaultScryptParams);
    expect(parsed?.salt).toHaveLength(16);
    expect(parsed?.key).toHaveLength(32);
  });

  it("salt every hash, so equal passwords give different hashes", async () => {
    const [a, b] = await Promise.all([hashPassword("same password", fast), hashPassword("same password", fast)]);
    expect(a).not.toBe(b);
  });

  it("verify with the parameters stored in the hash, not the current defaults", async () => {
    const stored = await hashPassword("old parameters", { log2N: 11, r: 4, p: 2 });
    expect(stored.startsWith("$scrypt$ln=11,r=4,p=2$")).toBe(true);
    await expect(verifyPassword("old parameters", stored)).resolves.toBe(true);
  });

  it("treat composed and decomposed accents as the same password", async () => {
    const stored = await hashPassword("caf\u00e9-au-lait", fast);
    await expect(verifyPassword("cafe\u0301-au-lait", stored)).resolves.toBe(true);
  });

  it("round-trip through the PHC string", async () => {
    const parsed = parsePasswordHash(await hashPassword("round trip!", fast));
    expect(parsed).toBeDefined();
    if (parsed) expect(parsePasswordHash(formatPasswordHash(parsed))).toEqual(parsed);
  });

  it("refuse malformed hashes and absurd parameters", async () => {
    expect(parsePasswordHash("plaintext")).toBeUndefined();
    expect(parsePasswordHash("$scrypt$ln=30,r=8,p=1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")).toBeUndefined();
    await expect(verifyPassword("anything", "$argon2id$v=19$m=65536,t=3,p=4$c2FsdA$aGFzaA")).rejects.toThrow(
      "not a valid scrypt PHC string",
    );
  });

  it("make decoys that match no password at the same cost as a real hash", async () => {
    const decoy = decoyPasswordHash();
    expect(parsePasswordHash(decoy)?.params).toEqual(defaultScryptParams);
    await expect(verifyPassword("", decoy)).resolves.toBe(false);
    await expect(verifyPassword("password", decoy)).resolves.toBe(false);
  });
});
