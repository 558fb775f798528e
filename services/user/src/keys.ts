// The token signing key: an EC P-256 key pair for ES256. The private key lives in a PKCS#8 PEM
// file that the service reads at start; the public key is published as a JWKS that the edge
// gateway verifies tokens with. Both the service and the keygen CLI go through this module, so
// they agree on the key id (the RFC 7638 thumbprint of the public key).
import { readFile } from "node:fs/promises";
import { calculateJwkThumbprint, exportJWK, exportPKCS8, generateKeyPair, importPKCS8, type CryptoKey } from "jose";

export const signingAlgorithm = "ES256";
export const privateKeyFileName = "jwt-es256.pem";
export const jwksFileName = "jwks.json";

/** A public signing key as the gateway's JWKS lists it. */
export interface PublicJwk {
  readonly kty: "EC";
  readonly crv: "P-256";
  readonly x: string;
  readonly y: string;
  readonly kid: string;
  readonly alg: typeof signingAlgorithm;
  readonly use: "sig";
}

export interface Jwks {
  readonly keys: readonly PublicJwk[];
}

export interface SigningKey {
  readonly privateKey: CryptoKey;
  /** The `kid` header of every token signed with this key. */
  readonly kid: string;
  readonly publicJwk: PublicJwk;
}

/** A key file that cannot be used; the message says which file and why, never its content. */
export class KeyFileError extends Error {
  override readonly name = "KeyFileError";
}

/** A new signing key and its private key as PKCS#8 PEM, for the key file. */
export async function generateSigningKey(): Promise<{ key: SigningKey; pem: string }> {
  const { privateKey } = await generateKeyPair(signingAlgorithm, { extractable: true });
  const pem = await exportPKCS8(privateKey);
  return { key: await signingKeyFromPem(pem), pem };
}

/** The signing key in a PKCS#8 PEM; rejects anything that is not an EC P-256 private key. */
export async function signingKeyFromPem(pem: string): Promise<SigningKey> {
  // Extractable, so that the public half can be derived from it (exportJWK).
  const privateKey = await importPKCS8(pem, signingAlgorithm, { extractable: true });
  const jwk = await exportJWK(privateKey);
  if (jwk.kty !== "EC" || jwk.crv !== "P-256" || jwk.x === undefined || jwk.y === undefined) {
    throw new Error("not an EC P-256 private key");
  }
  const publicPart = { kty: "EC", crv: "P-256", x: jwk.x, y: jwk.y } as const;
  const kid = await calculateJwkThumbprint(publicPart, "sha256");
  return { privateKey, kid, publicJwk: { ...publicPart, kid, alg: signingAlgorithm, use: "sig" } };
}

/** Reads the key file; a missing, unreadable or invalid file is a KeyFileError naming it. */
export async function readSigningKeyFile(path: string): Promise<SigningKey> {
  let pem: string;
  try {
    pem = await readFile(path, "utf8");
  } catch (err) {
    throw new KeyFileError(`${path}: ${fileProblem(err)}`);
  }
  try {
    return await signingKeyFromPem(pem);
  } catch {
    throw new KeyFileError(`${path}: not a PKCS#8 PEM EC P-256 (ES256) private key`);
  }
}

/** The JWKS that verifies tokens signed with `key`. */
export function jwksOf(key: SigningKey): Jwks {
  return { keys: [key.publicJwk] };
}

/** The JWKS file's content. */
export function jwksFileContent(key: SigningKey): string {
  return `${JSON.stringify(jwksOf(key), null, 2)}\n`;
}

function fileProblem(err: unknown): string {
  // Duck-typed: fs errors may come from another realm (test runners), where instanceof fails.
  const code = typeof err === "object" && err !== null && "code" in err ? err.code : undefined;
  switch (code) {
    case "ENOENT":
      return "no such file";
    case "EACCES":
    case "EPERM":
      return "permission denied";
    case "EISDIR":
      return "is a directory, not a file";
    default:
      return typeof err === "object" && err !== null && "message" in err ? String(err.message) : String(err);
  }
}
