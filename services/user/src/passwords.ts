// Password hashing with scrypt. A hash is stored in the PHC string format,
//   $scrypt$ln=15,r=8,p=1$<salt>$<key>   (salt and key in base64 without padding)
// so each hash carries the parameters it was made with and the defaults can change later.
import { randomBytes, scrypt, timingSafeEqual } from "node:crypto";

export interface ScryptParams {
  /** log2 of the CPU/memory cost N. */
  readonly log2N: number;
  /** Block size. */
  readonly r: number;
  /** Parallelization. */
  readonly p: number;
}

/** About 100 ms and 32 MiB per hash on our machines. */
export const defaultScryptParams: ScryptParams = { log2N: 15, r: 8, p: 1 };

const saltBytes = 16;
const keyBytes = 32;

// Bounds for parameters read back from the store, so a corrupt record cannot ask for gigabytes.
const limits = { log2N: [10, 20], r: [1, 32], p: [1, 16] } as const;

export interface PasswordHash {
  readonly params: ScryptParams;
  readonly salt: Buffer;
  readonly key: Buffer;
}

export async function hashPassword(password: string, params: ScryptParams = defaultScryptParams): Promise<string> {
  const salt = randomBytes(saltBytes);
  const key = await deriveKey(password, salt, params, keyBytes);
  return formatPasswordHash({ params, salt, key });
}

/** Whether `password` matches `stored`; the comparison takes the same time wherever they differ. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parsed = parsePasswordHash(stored);
  if (parsed === undefined) throw new Error("stored password hash is not a valid scrypt PHC string");
  const key = await deriveKey(password, parsed.salt, parsed.params, parsed.key.length);
  return timingSafeEqual(key, parsed.key);
}

/**
 * A hash that matches no password, with the same cost as a real one. Login verifies against it
 * when the email is unknown, so both failures take about the same time.
 */
export function decoyPasswordHash(params: ScryptParams = defaultScryptParams): string {
  return formatPasswordHash({ params, salt: randomBytes(saltBytes), key: randomBytes(keyBytes) });
}

export function formatPasswordHash({ params, salt, key }: PasswordHash): string {
  return `$scrypt$ln=${params.log2N},r=${params.r},p=${params.p}$${b64(salt)}$${b64(key)}`;
}

/** The parts of a stored hash, or undefined when it is not one this module wrote. */
export function parsePasswordHash(stored: string): PasswordHash | undefined {
  const match = /^\$scrypt\$ln=(\d{1,2}),r=(\d{1,2}),p=(\d{1,2})\$([A-Za-z0-9+/]{16,})\$([A-Za-z0-9+/]{16,})$/.exec(stored);
  const [, ln, r, p, salt, key] = match ?? [];
  if (ln === undefined || r === undefined || p === undefined || salt === undefined || key === undefined) return undefined;
  const params = { log2N: Number(ln), r: Number(r), p: Number(p) };
  const inRange = (Object.keys(limits) as (keyof typeof limits)[]).every(
    (name) => params[name] >= limits[name][0] && params[name] <= limits[name][1],
  );
  if (!inRange) return undefined;
  return { params, salt: Buffer.from(salt, "base64"), key: Buffer.from(key, "base64") };
}

function deriveKey(password: string, salt: Buffer, params: ScryptParams, length: number): Promise<Buffer> {
  const N = 2 ** params.log2N;
  return new Promise((resolve, reject) => {
    // NFKC so that the same password typed on different keyboards (composed or decomposed
    // accents, full-width digits) hashes the same, as NIST SP 800-63B recommends.
    scrypt(password.normalize("NFKC"), salt, length, { N, r: params.r, p: params.p, maxmem: 256 * N * params.r }, (err, key) =>
      err ? reject(err) : resolve(key),
    );
  });
}

function b64(bytes: Buffer): string {
  return bytes.toString("base64").replace(/=+$/, "");
}
