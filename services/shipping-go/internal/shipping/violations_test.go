package shipping

import (
	"testing"

	commonv1 "shopmesh/gen/go/pb/shop/common/v1"
)

func TestBlankIsWhatJavaScriptTrims(t *testing.T) {
	for _, blank := range []string{" ", "\t\n", "\u00a0", "\ufeff", "\u2028", "\u3000"} {
		if textProblem(blank, 100) != "must not be blank" {
			t.Errorf("%q should be blank", blank)
		}
	}
	// U+0085 is whitespace to Go but not to JavaScript's trim(): the TypeScript service accepts it.
	if p := textProblem("\u0085", 100); p != "" {
		t.Errorf("U+0085: %s", p)
	}
}

func TestQuoteFollowsTheRateTable(t *testing.T) {
	for _, c := range []struct {
		region       string
		units, cents int
		days         int
	}{{"US", 3, 796, 3}, {"DE", 3, 2096, 7}, {"JP", 3, 3396, 12}} {
		cents, days := quote(c.region, c.units)
		if cents != c.cents || days != c.days {
			t.Errorf("%s × %d: %d cents, %d days", c.region, c.units, cents, days)
		}
	}
	if m := usdFromCents(1234); m.GetUnits() != 12 || m.GetNanos() != 340_000_000 || m.GetCurrencyCode() != "USD" {
		t.Errorf("1234 cents: %v", m)
	}
}

func TestRepeatedSkuNamesTheFirst(t *testing.T) {
	items := []*commonv1.LineItem{{Sku: "MUG-001", Quantity: 1}, {Sku: "CAP-002", Quantity: 1}, {Sku: "MUG-001", Quantity: 100}}
	got := lineItemsViolations(items, true)
	want := []Violation{{"items[2].sku", "repeats the SKU of items[0] (MUG-001)"}, {"items[2].quantity", "must be 1..99 (got 100)"}}
	if len(got) != len(want) || got[0] != want[0] || got[1] != want[1] {
		t.Errorf("got %v", got)
	}
}
