package shipping

import (
	money "shopmesh/gen/go/pb/google/type/money"
)

// rate is one zone's price: once per shipment, per unit, and the transit time
// (services/shipping/src/quote.ts has the same table; its README shows it).
type rate struct {
	baseCents, perUnitCents, estimatedDays int
}

var (
	domestic      = rate{baseCents: 499, perUnitCents: 99, estimatedDays: 3}
	eu            = rate{baseCents: 1_499, perUnitCents: 199, estimatedDays: 7}
	international = rate{baseCents: 2_499, perUnitCents: 299, estimatedDays: 12}
)

// quote is what `units` units cost to `regionCode` and how long they take: it depends on nothing
// else, so GetQuote and the CreateShipment after it agree.
func quote(regionCode string, units int) (costCents, estimatedDays int) {
	r := international
	switch {
	case regionCode == "US":
		r = domestic
	case euMemberStates[regionCode]:
		r = eu
	}
	return r.baseCents + units*r.perUnitCents, r.estimatedDays
}

// usdFromCents is Money for whole, non-negative cents: 1234 → "USD", units 12, nanos 340,000,000.
func usdFromCents(cents int) *money.Money {
	return &money.Money{CurrencyCode: "USD", Units: int64(cents / 100), Nanos: int32(cents%100) * 10_000_000}
}
