import { describe, expect, it } from "@jest/globals";
import { sessionStore, type Session } from "../src/session.js";

/** sessionStorage as the page sees it. */
function memoryStorage(): Storage {
  const items = new Map<string, string>();
  return {
    get length() {
      return items.size;
    },
    clear: () => items.clear(),
    getItem: (key) => items.get(key) ?? null,
    key: (index) => [...items.keys()][index] ?? null,
    removeItem: (key) => void items.delete(key),
    setItem: (key, value) => void items.set(key, value),
  };
}

const session: Session = {
  accessToken: "a.b.c",
  expiresAt: Date.now() + 60_000,
  user: { id: "u1", email: "ada@example.com", displayName: "Ada" },
};

describe("the stored session", () => {
  it("survives a reload of the page", () => {
    const storage = memoryStorage();
    sessionStore(storage).save(session);
    expect(sessionStore(storage).load()).toEqual(session);
  });

  it("is dropped when the stored text is not a session", () => {
    const storage = memoryStorage();
    storage.setItem("shopmesh.session", '{"accessToken": 42}');
    expect(sessionStore(storage).load()).toBeUndefined();
    expect(storage.length).toBe(0);
  });
});
