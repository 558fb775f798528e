import { describe, expect, it } from "@jest/globals";
import { shipmentIdFor } from "../src/shipment-id.js";

describe("shipmentIdFor", () => {
  it("is a version 8 UUID of the order id's SHA-256, the same the Go service makes (ids_test.go)", () => {
    expect(shipmentIdFor("ord_0123456789abcdef0123456789abcdef")).toBe("093b00d6-3819-84a1-ba41-226c724aa52b");
    expect(shipmentIdFor("order-1")).toBe("0bafe221-56d2-898c-943b-86040446d366");
  });

  it("differs between orders and stays the same for one", () => {
    const ids = new Set(Array.from({ length: 1_000 }, (_, i) => shipmentIdFor(`ord_${i}`)));
    expect(ids.size).toBe(1_000);
    for (const id of ids) expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(shipmentIdFor("ord_7")).toBe(shipmentIdFor("ord_7"));
  });
});
