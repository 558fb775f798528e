// The store guard as a plain function: outages become UNAVAILABLE, anything else passes through.
import { describe, expect, it } from "@jest/globals";
import { Code, ConnectError } from "@connectrpc/connect";
import { MongoNetworkError } from "mongodb";
import { storeGuard } from "../src/mongo.js";

describe("storeGuard", () => {
  it("answers what the operation answers", async () => {
    await expect(storeGuard("cart store")(async () => 42)).resolves.toBe(42);
  });

  it("turns an outage into UNAVAILABLE naming the store, keeping the cause", async () => {
    const outage = new MongoNetworkError("connection refused");
    const err = await storeGuard("order store")(() => Promise.reject(outage)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConnectError);
    expect((err as ConnectError).code).toBe(Code.Unavailable);
    expect((err as ConnectError).rawMessage).toBe("order store is unavailable; try again shortly");
    expect((err as ConnectError).cause).toBe(outage);
  });

  it("leaves any other error as it is, or as `otherwise` makes it", async () => {
    const bug = new TypeError("bad query");
    await expect(storeGuard("cart store")(() => Promise.reject(bug))).rejects.toBe(bug);
    const sanitized = new Error("sanitized");
    await expect(storeGuard("user store", { otherwise: () => sanitized })(() => Promise.reject(bug))).rejects.toBe(sanitized);
    // An outage is UNAVAILABLE whatever `otherwise` does.
    const outage = storeGuard("user store", { otherwise: () => sanitized })(() => Promise.reject(new MongoNetworkError("down")));
    await expect(outage).rejects.toMatchObject({ code: Code.Unavailable });
  });
});
