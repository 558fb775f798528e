package shipping

import (
	"crypto/rand"
	"fmt"
	"math/big"
)

// newShipmentID is a random (version 4) UUID, as crypto.randomUUID makes in the TypeScript service.
func newShipmentID() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails (Go 1.24+).
	b[6] = b[6]&0x0f | 0x40
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
