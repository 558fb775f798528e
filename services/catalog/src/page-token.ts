// Opaque, signed page tokens (see createSignedTokens). The cursor names the listing it belongs
// to, so a token cannot be replayed against another category or query.
import { createSignedTokens, type SignedTokens } from "@shopmesh/kit";

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

export interface PageTokens {
  /** The token for the page of `scope` that starts after product `afterId`. */
  issue(scope: PageScope, afterId: string): string;
  /** Checks `token` (not empty) against `scope`: forged, altered or garbled tokens are malformed. */
  read(token: string, scope: PageScope): PageTokenReading;
}

export function createPageTokens(key: Uint8Array): PageTokens {
  const tokens: SignedTokens = createSignedTokens(key);
  return {
    issue: (scope, afterId) => tokens.seal({ v: 1, rpc: scope.rpc, filter: scope.filter, after: afterId } satisfies Cursor),
    read(token, scope) {
      const opened = tokens.open(token);
      // Signed by us, so well-formed unless the format changed; checked anyway.
      if (!opened.ok || !isCursor(opened.payload)) return { ok: false, reason: "malformed" };
      const cursor = opened.payload;
      if (cursor.rpc !== scope.rpc || cursor.filter !== scope.filter) return { ok: false, reason: "other-scope" };
      return { ok: true, afterId: cursor.after };
    },
  };
}

function isCursor(payload: unknown): payload is Cursor {
  const value = payload as Readonly<Record<string, unknown>>;
  return (
    value["v"] === 1 &&
    typeof value["rpc"] === "string" &&
    typeof value["filter"] === "string" &&
    typeof value["after"] === "string" &&
    value["after"] !== ""
  );
}
