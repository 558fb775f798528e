package shipping

import (
	"context"
	"time"
)

// State is a shipment's state as stored.
type State string

const (
	Created   State = "CREATED"
	Cancelled State = "CANCELLED"
)

// Address is a shipment's address as the service keeps it (no protobuf message).
type Address struct {
	RecipientName string
	StreetLines   []string
	City          string
	PostalCode    string
	RegionCode    string
}

// Item is a quantity of one SKU.
type Item struct {
	SKU      string
	Quantity int
}

// Record is a shipment as the service keeps it.
type Record struct {
	ID         string
	OrderID    string
	TrackingID string
	Address    Address
	// Items in the order the creating request listed them.
	Items     []Item
	CostCents int
	// State is CANCELLED once its order's cancellation is recorded, whichever came first.
	State State
	// CreateTime has millisecond precision, as stored.
	CreateTime time.Time
}

// InsertOutcome says what Insert did.
type InsertOutcome int

const (
	// Inserted: the shipment is stored.
	Inserted InsertOutcome = iota
	// OrderHasShipment: the order already has one (returned beside); nothing was stored.
	OrderHasShipment
	// IDTaken: another shipment has this tracking id; nothing was stored: retry with a new one.
	IDTaken
)

// Store keeps shipments, at most one per order, and cancellations, at most one per order: each
// inserted once under the order id and never updated, so replicas racing on one order agree. A
// shipment reads CANCELLED once its order has a cancellation, recorded before or after it. Every
// method fails with ErrUnavailable (wrapped) when the store cannot be reached.
type Store interface {
	// Insert stores the shipment unless its order already has one; atomic on the order id.
	Insert(ctx context.Context, r Record) (InsertOutcome, *Record, error)
	// RecordCancellation records the cancellation of the order's shipment, existing or not, unless one is.
	RecordCancellation(ctx context.Context, orderID string, now time.Time) error
	// FindByID and FindByOrderID return nil when there is no such shipment.
	FindByID(ctx context.Context, id string) (*Record, error)
	FindByOrderID(ctx context.Context, orderID string) (*Record, error)
}
