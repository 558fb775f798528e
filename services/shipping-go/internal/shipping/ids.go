package shipping

import (
	"crypto/rand"
	"crypto/sha256"
	"fmt"
	"math/big"
)

// ShipmentIDFor is the id of orderID's shipment: a UUID (version 8, RFC 9562) of the first 16
// bytes of the order id's SHA-256, as the TypeScript service makes it (services/shipping/src/
// shipment-id.ts). An order has at most one shipment, so the shipment of an order is found by
// _id, the only key FerretDB on SQLite looks up without reading the whole collection.
func ShipmentIDFor(orderID string) string {
	sum := sha256.Sum256([]byte(orderID))
	b := sum[:16]
	b[6] = b[6]&0x0f | 0x80
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

const trackingAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"

// newTrackingID is "SM" and 10 random characters of A-Z and 0-9, e.g. "SM4K7Q2Z9XA1": what a
// customer reads out or types in.
func newTrackingID() string {
	id := []byte("SM")
	size := big.NewInt(int64(len(trackingAlphabet)))
	for range 10 {
		n, _ := rand.Int(rand.Reader, size)
		id = append(id, trackingAlphabet[n.Int64()])
	}
	return string(id)
}
