package shipping

import "testing"

// The ids the TypeScript service makes for the same orders (services/shipping/test/shipment-id.test.ts):
// either service may read a store the other wrote.
func TestShipmentIDForMatchesTheTypeScriptService(t *testing.T) {
	for orderID, want := range map[string]string{
		"ord_0123456789abcdef0123456789abcdef": "093b00d6-3819-84a1-ba41-226c724aa52b",
		"order-1":                              "0bafe221-56d2-898c-943b-86040446d366",
	} {
		if got := ShipmentIDFor(orderID); got != want {
			t.Errorf("ShipmentIDFor(%q) = %q, want %q", orderID, got, want)
		}
	}
}
