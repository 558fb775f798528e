package shipping

import (
	"fmt"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	commonv1 "shopmesh/gen/go/pb/shop/common/v1"
)

// Violation is one bad field of a request: its path ("address.street_lines[1]") and what is wrong.
type Violation struct {
	Field       string
	Description string
}

const (
	maxNameLength       = 100
	maxStreetLines      = 3
	maxStreetLineLength = 100
	maxCityLength       = 100
	maxPostalCodeLength = 20
	maxItems            = 50
	maxQuantity         = 99
	maxIDLength         = 64
)

var (
	usPostalCode         = regexp.MustCompile(`^[0-9]{5}(-[0-9]{4})?$`)
	postalCodeCharacters = regexp.MustCompile(`^[A-Za-z0-9 -]*$`)
	twoUppercaseLetters  = regexp.MustCompile(`^[A-Z]{2}$`)
	skuPattern           = regexp.MustCompile(`^[A-Z0-9-]{3,32}$`)
	characterCount       = utf8.RuneCountInString
)

// addressViolations are the rules of shop.common.v1.Address, field by field in field order, with
// the descriptions @shopmesh/domain's addressViolations gives (a client sees the same answer
// whichever implementation judged the address).
func addressViolations(a *commonv1.Address, field string) []Violation {
	if a == nil {
		return []Violation{{field, "is required"}}
	}
	var vs []Violation
	add := func(path, problem string) {
		if problem != "" {
			vs = append(vs, Violation{field + "." + path, problem})
		}
	}
	add("recipient_name", textProblem(a.GetRecipientName(), maxNameLength))
	lines := a.GetStreetLines()
	if len(lines) == 0 {
		add("street_lines", fmt.Sprintf("is required (1..%d lines)", maxStreetLines))
	} else if len(lines) > maxStreetLines {
		add("street_lines", fmt.Sprintf("must have at most %d lines (got %d)", maxStreetLines, len(lines)))
	}
	for i, line := range lines {
		add(fmt.Sprintf("street_lines[%d]", i), textProblem(line, maxStreetLineLength))
	}
	add("city", textProblem(a.GetCity(), maxCityLength))
	add("postal_code", postalCodeProblem(a.GetPostalCode(), a.GetRegionCode()))
	add("region_code", regionCodeProblem(a.GetRegionCode()))
	return vs
}

// textProblem: a required free-text field, 1..max characters (code points), not only whitespace.
func textProblem(value string, max int) string {
	switch {
	case value == "":
		return "is required"
	case characterCount(value) > max:
		return fmt.Sprintf("must be at most %d characters", max)
	case strings.TrimFunc(value, isJSWhitespace) == "":
		return "must not be blank"
	}
	return ""
}

// isJSWhitespace is what JavaScript's String.prototype.trim removes (WhiteSpace and
// LineTerminator), which differs from unicode.IsSpace in U+0085 and U+FEFF.
func isJSWhitespace(r rune) bool {
	switch r {
	case '\t', '\n', '\v', '\f', '\r', '\u2028', '\u2029', '\uFEFF':
		return true
	}
	return unicode.Is(unicode.Zs, r)
}

func postalCodeProblem(postalCode, regionCode string) string {
	if regionCode == "US" {
		if postalCode == "" {
			return `is required when region_code is "US"`
		}
		if !usPostalCode.MatchString(postalCode) {
			return `must be a US ZIP code: five digits or ZIP+4 ("94103", "94103-1234")`
		}
		return ""
	}
	if characterCount(postalCode) > maxPostalCodeLength {
		return fmt.Sprintf("must be at most %d characters", maxPostalCodeLength)
	}
	if !postalCodeCharacters.MatchString(postalCode) {
		return "may contain only A-Z, a-z, 0-9, space and '-'"
	}
	return ""
}

func regionCodeProblem(regionCode string) string {
	switch {
	case regionCode == "":
		return `is required (an ISO 3166-1 alpha-2 code, e.g. "US")`
	case !twoUppercaseLetters.MatchString(regionCode):
		return `must be two uppercase letters (an ISO 3166-1 alpha-2 code, e.g. "US")`
	case !assignedRegionCodes[regionCode]:
		return fmt.Sprintf("%q is not an assigned ISO 3166-1 alpha-2 code", regionCode)
	}
	return ""
}

// lineItemsViolations are the rules of `items` (services/shipping/src/line-items.ts): 1..50 items
// (more than 50 is reported alone), each SKU 3..32 of A-Z, 0-9 and '-' and, with distinctSkus, not
// an earlier item's, each quantity 1..99.
func lineItemsViolations(items []*commonv1.LineItem, distinctSkus bool) []Violation {
	const field = "items"
	if len(items) == 0 {
		return []Violation{{field, fmt.Sprintf("is required (1..%d items)", maxItems)}}
	}
	if len(items) > maxItems {
		return []Violation{{field, fmt.Sprintf("must have at most %d items (got %d)", maxItems, len(items))}}
	}
	var vs []Violation
	firstIndexOfSku := map[string]int{}
	for i, item := range items {
		sku := item.GetSku()
		first, seen := firstIndexOfSku[sku]
		switch {
		case !skuPattern.MatchString(sku):
			vs = append(vs, Violation{fmt.Sprintf("%s[%d].sku", field, i), "must be 3..32 characters of A-Z, 0-9 and '-'"})
		case distinctSkus && seen:
			vs = append(vs, Violation{fmt.Sprintf("%s[%d].sku", field, i), fmt.Sprintf("repeats the SKU of %s[%d] (%s)", field, first, sku)})
		case !seen:
			firstIndexOfSku[sku] = i
		}
		if q := item.GetQuantity(); q < 1 || q > maxQuantity {
			vs = append(vs, Violation{fmt.Sprintf("%s[%d].quantity", field, i), fmt.Sprintf("must be 1..%d (got %d)", maxQuantity, q)})
		}
	}
	return vs
}

// idViolations: an opaque id of 1..64 characters.
func idViolations(field, id string) []Violation {
	if id == "" {
		return []Violation{{field, "is required"}}
	}
	if characterCount(id) > maxIDLength {
		return []Violation{{field, fmt.Sprintf("must be at most %d characters", maxIDLength)}}
	}
	return nil
}

// totalUnits is the number of units shipped: the sum of the quantities.
func totalUnits(items []*commonv1.LineItem) int {
	units := 0
	for _, item := range items {
		units += int(item.GetQuantity())
	}
	return units
}
