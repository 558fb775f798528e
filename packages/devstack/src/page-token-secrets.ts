// Every replica of a service signs page tokens with the same key, or a token from one replica would
// be refused (INVALID_ARGUMENT) by the next: a key per service, made once and kept with the run's
// other keys, so tokens also survive a restart of the shop.
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/** The page-token key of `service` (PAGE_TOKEN_SECRET), from `keyDir`, made on first use. */
export function pageTokenSecret(keyDir: string, service: string): string {
  const path = join(keyDir, "page-token-secrets.json");
  const secrets: Record<string, string> = existsSync(path) ? (JSON.parse(readFileSync(path, "utf8")) as Record<string, string>) : {};
  const known = secrets[service];
  if (known !== undefined) return known;
  const secret = randomBytes(32).toString("base64url");
  mkdirSync(keyDir, { recursive: true, mode: 0o700 });
  writeFileSync(path, `${JSON.stringify({ ...secrets, [service]: secret }, null, 2)}\n`, { mode: 0o600 });
  return secret;
}
