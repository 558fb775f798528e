// Package store is shipping.Store on MongoDB (or FerretDB), in the documents and indexes of the
// TypeScript service (services/shipping/src/store): shipments keyed by an id made of their
// order's, with unique indexes on order_id and tracking_id, and cancellations keyed by order id.
// Idempotency is the keys' job: insert first, and on a duplicate key read back what is there, so
// concurrent creates for one order store exactly one shipment and concurrent cancellations one.
package store

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
	"go.mongodb.org/mongo-driver/v2/x/mongo/driver/topology"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"shopmesh/services/shipping-go/internal/shipping"
)

const (
	shipmentsCollection     = "shipments"
	cancellationsCollection = "shipment_cancellations"
)

// Mongo is an open connection to the service's database.
type Mongo struct {
	client *mongo.Client
	db     *mongo.Database
}

// Connect connects and waits (up to startTimeout) until the server answers: it may still be
// starting. After start, an outage fails operations within serverSelectionTimeout and the probe
// turns health NOT_SERVING; the driver reconnects by itself when the server returns.
func Connect(ctx context.Context, uri, dbName string, logger *slog.Logger, startTimeout, serverSelectionTimeout time.Duration) (*Mongo, error) {
	client, err := mongo.Connect(options.Client().ApplyURI(uri).
		SetServerSelectionTimeout(serverSelectionTimeout).
		SetConnectTimeout(2 * time.Second).
		SetAppName("shopmesh-" + dbName))
	if err != nil {
		return nil, fmt.Errorf("MongoDB at %s: %w", redact(uri), err)
	}
	m := &Mongo{client: client, db: client.Database(dbName)}
	deadline := time.Now().Add(startTimeout)
	for {
		err := m.Ping(ctx)
		if err == nil {
			return m, nil
		}
		if time.Now().After(deadline) {
			_ = client.Disconnect(context.Background())
			return nil, fmt.Errorf("MongoDB at %s did not answer: %w", redact(uri), err)
		}
		logger.Warn("waiting for MongoDB", "url", redact(uri))
		time.Sleep(500 * time.Millisecond)
	}
}

// Ping is the health probe: an error while the server does not answer.
func (m *Mongo) Ping(ctx context.Context) error {
	return m.db.RunCommand(ctx, bson.D{{Key: "ping", Value: 1}}).Err()
}

// Close disconnects.
func (m *Mongo) Close(ctx context.Context) error { return m.client.Disconnect(ctx) }

type shipmentDocument struct {
	ID         string          `bson:"_id"`
	OrderID    string          `bson:"order_id"`
	TrackingID string          `bson:"tracking_id"`
	Address    addressDocument `bson:"address"`
	Items      []itemDocument  `bson:"items"`
	Cost       costDocument    `bson:"cost"`
	Status     string          `bson:"status"`
	CreateTime time.Time       `bson:"create_time"`
}

type addressDocument struct {
	RecipientName string   `bson:"recipient_name"`
	StreetLines   []string `bson:"street_lines"`
	City          string   `bson:"city"`
	PostalCode    string   `bson:"postal_code"`
	RegionCode    string   `bson:"region_code"`
}

type itemDocument struct {
	SKU      string `bson:"sku"`
	Quantity int32  `bson:"quantity"`
}

type costDocument struct {
	CurrencyCode string `bson:"currency_code"`
	Cents        int64  `bson:"cents"`
}

type cancellationDocument struct {
	ID   string    `bson:"_id"`
	Time time.Time `bson:"time"`
}

type shipmentStore struct {
	shipments, cancellations *mongo.Collection
}

// NewShipmentStore is the store on an open connection; it creates its indexes first.
func NewShipmentStore(ctx context.Context, m *Mongo) (shipping.Store, error) {
	s := &shipmentStore{shipments: m.db.Collection(shipmentsCollection), cancellations: m.db.Collection(cancellationsCollection)}
	// One at a time: FerretDB 1.24 drops the connection when one createIndexes command lists
	// several indexes that already exist, i.e. on every restart.
	for _, index := range []mongo.IndexModel{
		{Keys: bson.D{{Key: "order_id", Value: 1}}, Options: options.Index().SetName("order_id_unique").SetUnique(true)},
		{Keys: bson.D{{Key: "tracking_id", Value: 1}}, Options: options.Index().SetName("tracking_id_unique").SetUnique(true)},
	} {
		if _, err := s.shipments.Indexes().CreateOne(ctx, index); err != nil {
			return nil, translated(err)
		}
	}
	return s, nil
}

func (s *shipmentStore) Insert(ctx context.Context, r shipping.Record) (shipping.InsertOutcome, *shipping.Record, error) {
	_, err := s.shipments.InsertOne(ctx, toDocument(r))
	if err == nil {
		return shipping.Inserted, nil, nil
	}
	if !mongo.IsDuplicateKeyError(err) {
		return 0, nil, translated(err)
	}
	// Which key was taken is not reported the same way by every server; the order tells.
	// Shipments are never deleted, so an order_id clash means the document is there to read.
	existing, err := s.FindByOrderID(ctx, r.OrderID)
	if err != nil {
		return 0, nil, err
	}
	if existing == nil {
		return shipping.IDTaken, nil, nil
	}
	return shipping.OrderHasShipment, existing, nil
}

func (s *shipmentStore) RecordCancellation(ctx context.Context, orderID string, now time.Time) error {
	_, err := s.cancellations.InsertOne(ctx, cancellationDocument{ID: orderID, Time: now})
	// Cancelled before: the first cancellation stands.
	if err != nil && !mongo.IsDuplicateKeyError(err) {
		return translated(err)
	}
	return nil
}

func (s *shipmentStore) FindByID(ctx context.Context, id string) (*shipping.Record, error) {
	return s.findOne(ctx, bson.D{{Key: "_id", Value: id}})
}

// FindByOrderID reads the shipment with the id made of the order's (shipping.ShipmentIDFor) by
// _id. Only a shipment stored before ids were made so has another id; a query by order finds it,
// at the cost of FerretDB reading the whole collection, when the first read finds nothing.
func (s *shipmentStore) FindByOrderID(ctx context.Context, orderID string) (*shipping.Record, error) {
	r, err := s.findOne(ctx, bson.D{{Key: "_id", Value: shipping.ShipmentIDFor(orderID)}})
	if r != nil || err != nil {
		return r, err
	}
	return s.findOne(ctx, bson.D{{Key: "order_id", Value: orderID}})
}

// findOne is the shipment matching filter, CANCELLED when its order's cancellation is recorded.
func (s *shipmentStore) findOne(ctx context.Context, filter bson.D) (*shipping.Record, error) {
	var doc shipmentDocument
	if err := s.shipments.FindOne(ctx, filter).Decode(&doc); err != nil {
		if errors.Is(err, mongo.ErrNoDocuments) {
			return nil, nil
		}
		return nil, translated(err)
	}
	cancelled := true
	if err := s.cancellations.FindOne(ctx, bson.D{{Key: "_id", Value: doc.OrderID}}).Err(); err != nil {
		if !errors.Is(err, mongo.ErrNoDocuments) {
			return nil, translated(err)
		}
		cancelled = false
	}
	r := fromDocument(doc, cancelled)
	return &r, nil
}

func toDocument(r shipping.Record) shipmentDocument {
	items := make([]itemDocument, len(r.Items))
	for i, item := range r.Items {
		items[i] = itemDocument{SKU: item.SKU, Quantity: int32(item.Quantity)}
	}
	return shipmentDocument{
		ID:         r.ID,
		OrderID:    r.OrderID,
		TrackingID: r.TrackingID,
		Address: addressDocument{
			RecipientName: r.Address.RecipientName,
			StreetLines:   r.Address.StreetLines,
			City:          r.Address.City,
			PostalCode:    r.Address.PostalCode,
			RegionCode:    r.Address.RegionCode,
		},
		Items:      items,
		Cost:       costDocument{CurrencyCode: "USD", Cents: int64(r.CostCents)},
		Status:     string(r.State),
		CreateTime: r.CreateTime,
	}
}

func fromDocument(d shipmentDocument, cancelled bool) shipping.Record {
	items := make([]shipping.Item, len(d.Items))
	for i, item := range d.Items {
		items[i] = shipping.Item{SKU: item.SKU, Quantity: int(item.Quantity)}
	}
	state := shipping.State(d.Status)
	if cancelled {
		state = shipping.Cancelled
	}
	return shipping.Record{
		ID:         d.ID,
		OrderID:    d.OrderID,
		TrackingID: d.TrackingID,
		Address: shipping.Address{
			RecipientName: d.Address.RecipientName,
			StreetLines:   d.Address.StreetLines,
			City:          d.Address.City,
			PostalCode:    d.Address.PostalCode,
			RegionCode:    d.Address.RegionCode,
		},
		Items:      items,
		CostCents:  int(d.Cost.Cents),
		State:      state,
		CreateTime: d.CreateTime.UTC(),
	}
}

// unavailable is a store outage as the client sees it: UNAVAILABLE (retry), the cause kept for the log.
type unavailable struct{ cause error }

func (e unavailable) Error() string { return "shipping store is unavailable: " + e.cause.Error() }
func (e unavailable) Unwrap() error { return e.cause }
func (e unavailable) GRPCStatus() *status.Status {
	return status.New(codes.Unavailable, "shipping store is unavailable; try again shortly")
}

// translated is the one place store errors are translated: an unreachable store becomes
// UNAVAILABLE; anything else stays unexpected (INTERNAL, logged).
func translated(err error) error {
	var selection topology.ServerSelectionError
	var connection topology.ConnectionError
	if mongo.IsNetworkError(err) || mongo.IsTimeout(err) || errors.As(err, &selection) || errors.As(err, &connection) ||
		errors.Is(err, mongo.ErrClientDisconnected) {
		return unavailable{err}
	}
	return err
}

// redact is the URL without its password, for logs and messages.
func redact(uri string) string {
	u, err := url.Parse(uri)
	if err != nil {
		return "(unparseable url)"
	}
	if _, has := u.User.Password(); has {
		u.User = url.UserPassword(u.User.Username(), "***")
	}
	return u.String()
}
