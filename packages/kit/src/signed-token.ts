// Opaque tokens a service hands out and reads back (page tokens): base64url(JSON) "." base64url
// (HMAC-SHA256 of the first part). Clients cannot forge or edit them; the service decides what
// the payload means.
import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import type { Logger } from "pino";

export type OpenedToken =
  | { readonly ok: true; readonly payload: Readonly<Record<string, unknown>> }
  /** "malformed": not a token at all; "forged": well-formed, but not signed with this key. */
  | { readonly ok: false; readonly problem: "malformed" | "forged" };

export interface SignedTokens {
  seal(payload: object): string;
  open(token: string): OpenedToken;
}

const maxTokenLength = 1_024;
const base64url = /^[A-Za-z0-9_-]+$/;

export function createSignedTokens(key: Uint8Array): SignedTokens {
  if (key.length < 16) throw new RangeError("a token key needs at least 16 bytes");
  const sign = (payload: string): Buffer => createHmac("sha256", key).update(payload).digest();
  return {
    seal(payload) {
      const body = Buffer.from(JSON.stringify(payload)).toString("base64url");
      return `${body}.${sign(body).toString("base64url")}`;
    },
    open(token) {
      const malformed = { ok: false, problem: "malformed" } as const;
      if (token.length > maxTokenLength) return malformed;
      const [body, signature, ...rest] = token.split(".");
      if (body === undefined || signature === undefined || rest.length > 0) return malformed;
      if (!base64url.test(body) || !base64url.test(signature)) return malformed;
      const expected = sign(body);
      const given = Buffer.from(signature, "base64url");
      // base64url's last character carries spare bits: only the canonical spelling of the
      // signature is accepted, or one token would have several valid forms.
      if (given.length !== expected.length || !timingSafeEqual(given, expected) || given.toString("base64url") !== signature) {
        return { ok: false, problem: "forged" };
      }
      let payload: unknown;
      try {
        payload = JSON.parse(Buffer.from(body, "base64url").toString("utf8"));
      } catch {
        return malformed;
      }
      if (typeof payload !== "object" || payload === null || Array.isArray(payload)) return malformed;
      return { ok: true, payload: payload as Record<string, unknown> };
    },
  };
}

/**
 * The key for a service's tokens: its configured secret, or a random key for this process only
 * (said once in the log: tokens then do not survive a restart).
 */
export function tokenKey(secret: string | undefined, logger: Logger): Uint8Array {
  if (secret !== undefined) return Buffer.from(secret, "utf8");
  logger.info("PAGE_TOKEN_SECRET is not set: page tokens are signed with a key of this process and do not survive a restart");
  return randomBytes(32);
}
