// ListNotifications page tokens: the position to continue from, bound to the user it was
// issued to and signed, so a client can neither forge a position nor page another user's list.
import { createSignedTokens } from "@shopmesh/kit";

export type PageTokenReading = { readonly ok: true; readonly cursor: string } | { readonly ok: false; readonly problem: string };

export interface PageTokens {
  /** A token for the page after `cursor` (the last id of the page just returned). */
  issue(userId: string, cursor: string): string;
  /** The cursor of a token `userId` received, or what is wrong with it. */
  read(token: string, userId: string): PageTokenReading;
}

/** `isCursor` rejects a signed payload whose cursor this version cannot use. */
export function createPageTokens(key: Uint8Array, isCursor: (cursor: string) => boolean): PageTokens {
  const tokens = createSignedTokens(key);
  return {
    issue(userId, cursor) {
      return tokens.seal({ u: userId, c: cursor });
    },

    read(token, userId) {
      const malformed = { ok: false, problem: "is malformed; pass next_page_token from a previous response" } as const;
      const opened = tokens.open(token);
      if (!opened.ok) {
        return opened.problem === "forged" ? { ok: false, problem: "was not issued by this service or was changed" } : malformed;
      }
      const { u, c } = opened.payload;
      if (typeof u !== "string" || typeof c !== "string" || !isCursor(c)) return malformed;
      if (u !== userId) return { ok: false, problem: "was issued to another user" };
      return { ok: true, cursor: c };
    },
  };
}
