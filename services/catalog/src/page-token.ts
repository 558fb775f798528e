// Opaque page tokens: base64url(JSON cursor) "." base64url(HMAC-SHA256 of the first part).
// The signature keeps clients from forging cursors; the cursor names the listing it belongs to,
// so a token cannot be replayed against another category or query.
import { createHmac, timingSafeEqual } from "node:crypto";

/** Which listing a cursor continues: ListProducts of one category ("" for all), or one search. */
export interface PageScope {
  readonly rpc: "list" | "search";
  readonly filter: string;
}

export type PageTokenReading =
  | { readonly ok: true; readonly afterId: string }
  | { readonly ok: false; readonly reason: "malformed" | "other-scope" };

interface Cursor {
  readonly v: 1;
  readonly rpc: string;
  readonly filter: string;
  /** The id of the last product of the previous page; the next page starts after it. */
  readonly after: string;
}

const maxTokenLength = 1_024;
const base64url = /^[A-Za-z0-9_-]+$/;

export class PageTokens {
  constructor(private readonly key: Uint8Array) {
    if (key.length < 16) throw new RangeError("a page token key needs at least 16 bytes");
  }

  /** The token for the page of `scope` that starts after product `afterId`. */
  issue(scope: PageScope, afterId: string): string {
    const cursor: Cursor = { v: 1, rpc: scope.rpc, filter: scope.filter, after: afterId };
    const payload = Buffer.from(JSON.stringify(cursor)).toString("base64url");
    return `${payload}.${this.sign(payload).toString("base64url")}`;
  }

  /** Checks `token` (not empty) against `scope`: forged, altered or garbled tokens are malformed. */
  read(token: string, scope: PageScope): PageTokenReading {
    const cursor = this.verify(token);
    if (cursor === undefined) return { ok: false, reason: "malformed" };
    if (cursor.rpc !== scope.rpc || cursor.filter !== scope.filter) return { ok: false, reason: "other-scope" };
    return { ok: true, afterId: cursor.after };
  }

  private verify(token: string): Cursor | undefined {
    if (token.length > maxTokenLength) return undefined;
    const parts = token.split(".");
    if (parts.length !== 2) return undefined;
    const [payload = "", signature = ""] = parts;
    if (!base64url.test(payload) || !base64url.test(signature)) return undefined;
    const expected = this.sign(payload);
    const given = Buffer.from(signature, "base64url");
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
    // Signed by us, so well-formed unless the format changed; checked anyway.
    let cursor: unknown;
    try {
      cursor = JSON.parse(Buffer.from(payload, "base64url").toString("utf8"));
    } catch {
      return undefined;
    }
    return isCursor(cursor) ? cursor : undefined;
  }

  private sign(payload: string): Buffer {
    return createHmac("sha256", this.key).update(payload).digest();
  }
}

function isCursor(value: unknown): value is Cursor {
  if (typeof value !== "object" || value === null) return false;
  const c = value as Record<string, unknown>;
  return c["v"] === 1 && typeof c["rpc"] === "string" && typeof c["filter"] === "string" && typeof c["after"] === "string" && c["after"] !== "";
}
