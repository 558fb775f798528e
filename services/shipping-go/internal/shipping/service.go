// Package shipping is shop.shipping.v1.ShippingService: validate, quote, store, map to messages,
// with the behaviour of the TypeScript service (services/shipping/src/service.ts). A shipment and
// its cancellation are records inserted once under the order id; a shipment reads CANCELLED once
// its order has a cancellation, whichever was recorded first.
package shipping

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"time"

	"google.golang.org/protobuf/types/known/timestamppb"

	commonv1 "shopmesh/gen/go/pb/shop/common/v1"
	shippingv1 "shopmesh/gen/go/pb/shop/shipping/v1"
)

// A clash of random 52-bit tracking ids is rare; three in a row is a bug.
const maxIDAttempts = 3

// Deps are what the handlers need; the clock and the tracking ids default to the real ones.
type Deps struct {
	Store         Store
	Logger        *slog.Logger
	Clock         func() time.Time
	NewTrackingID func() string
}

type service struct {
	shippingv1.UnimplementedShippingServiceServer
	Deps
}

// New is the service's handlers.
func New(deps Deps) shippingv1.ShippingServiceServer {
	if deps.Clock == nil {
		deps.Clock = time.Now
	}
	if deps.NewTrackingID == nil {
		deps.NewTrackingID = newTrackingID
	}
	return &service{Deps: deps}
}

func (s *service) GetQuote(_ context.Context, req *shippingv1.GetQuoteRequest) (*shippingv1.GetQuoteResponse, error) {
	if err := validShipping(req.GetAddress(), req.GetItems(), false, nil); err != nil {
		return nil, err
	}
	cents, days := quote(req.GetAddress().GetRegionCode(), totalUnits(req.GetItems()))
	return &shippingv1.GetQuoteResponse{Cost: usdFromCents(cents), EstimatedDays: int32(days)}, nil
}

func (s *service) CreateShipment(ctx context.Context, req *shippingv1.CreateShipmentRequest) (*shippingv1.CreateShipmentResponse, error) {
	orderID := req.GetOrderId()
	if err := validShipping(req.GetAddress(), req.GetItems(), true, idViolations("order_id", orderID)); err != nil {
		return nil, err
	}
	address, items := addressOf(req.GetAddress()), itemsOf(req.GetItems())
	cents, _ := quote(address.RegionCode, totalUnits(req.GetItems()))
	for attempt := 1; attempt <= maxIDAttempts; attempt++ {
		shipment := Record{
			ID:         ShipmentIDFor(orderID),
			OrderID:    orderID,
			TrackingID: s.NewTrackingID(),
			Address:    address,
			Items:      items,
			CostCents:  cents,
			State:      Created,
			// Stored with millisecond precision: keep only that, so a replay answers identically.
			CreateTime: s.Clock().Truncate(time.Millisecond),
		}
		outcome, existing, err := s.Store.Insert(ctx, shipment)
		if err != nil {
			return nil, err
		}
		switch outcome {
		case Inserted:
			// Read after the insert: a cancellation recorded before it (or racing it) is seen
			// here; one recorded later sees this shipment and cancels it.
			stored, err := s.Store.FindByOrderID(ctx, orderID)
			if err != nil {
				return nil, err
			}
			if stored != nil && stored.State == Cancelled {
				return nil, shipmentCancelled(orderID)
			}
			return &shippingv1.CreateShipmentResponse{Shipment: shipmentMessage(shipment)}, nil
		case OrderHasShipment:
			if existing.State == Cancelled {
				return nil, shipmentCancelled(orderID)
			}
			if err := sameShipment(existing, address, items); err != nil {
				return nil, err
			}
			return &shippingv1.CreateShipmentResponse{Shipment: shipmentMessage(*existing)}, nil
		case IDTaken:
			s.Logger.WarnContext(ctx, "tracking id already taken; retrying with a new one", "order_id", orderID, "attempt", attempt)
		}
	}
	return nil, fmt.Errorf("no free tracking id after %d attempts", maxIDAttempts)
}

func (s *service) CancelShipment(ctx context.Context, req *shippingv1.CancelShipmentRequest) (*shippingv1.CancelShipmentResponse, error) {
	if err := invalidIfAny(idViolations("order_id", req.GetOrderId())); err != nil {
		return nil, err
	}
	// Recorded first: a CreateShipment of this order that records its shipment from now on sees it.
	if err := s.Store.RecordCancellation(ctx, req.GetOrderId(), s.Clock().Truncate(time.Millisecond)); err != nil {
		return nil, err
	}
	shipment, err := s.Store.FindByOrderID(ctx, req.GetOrderId())
	if err != nil || shipment == nil {
		return &shippingv1.CancelShipmentResponse{}, err
	}
	return &shippingv1.CancelShipmentResponse{Shipment: shipmentMessage(*shipment)}, nil
}

func (s *service) GetShipment(ctx context.Context, req *shippingv1.GetShipmentRequest) (*shippingv1.GetShipmentResponse, error) {
	var shipment *Record
	var err error
	switch lookup := req.GetLookup().(type) {
	case *shippingv1.GetShipmentRequest_ShipmentId:
		if err := invalidIfAny(idViolations("shipment_id", lookup.ShipmentId)); err != nil {
			return nil, err
		}
		if shipment, err = s.Store.FindByID(ctx, lookup.ShipmentId); err == nil && shipment == nil {
			err = notFound(fmt.Sprintf("shipment %s not found", lookup.ShipmentId), lookup.ShipmentId)
		}
	case *shippingv1.GetShipmentRequest_OrderId:
		if err := invalidIfAny(idViolations("order_id", lookup.OrderId)); err != nil {
			return nil, err
		}
		if shipment, err = s.Store.FindByOrderID(ctx, lookup.OrderId); err == nil && shipment == nil {
			err = notFound(fmt.Sprintf("order %s has no shipment", lookup.OrderId), "order/"+lookup.OrderId)
		}
	default:
		return nil, invalidArgument([]Violation{{"lookup", "must set shipment_id or order_id"}})
	}
	if err != nil {
		return nil, err
	}
	return &shippingv1.GetShipmentResponse{Shipment: shipmentMessage(*shipment)}, nil
}

// validShipping is INVALID_ARGUMENT naming every bad field of the address and items, after
// `leading` (the violations of the request's fields that come before them); nil when all are valid.
func validShipping(address *commonv1.Address, items []*commonv1.LineItem, distinctSkus bool, leading []Violation) error {
	vs := slices.Concat(leading, addressViolations(address, "address"), lineItemsViolations(items, distinctSkus))
	return invalidIfAny(vs)
}

func invalidIfAny(vs []Violation) error {
	if len(vs) == 0 {
		return nil
	}
	return invalidArgument(vs)
}

// sameShipment: a replay must ask for the shipment that exists: the same address, the same set of items.
func sameShipment(existing *Record, address Address, items []Item) error {
	var differences []string
	if !sameAddress(existing.Address, address) {
		differences = append(differences, "address")
	}
	if !sameItems(existing.Items, items) {
		differences = append(differences, "items")
	}
	if len(differences) == 0 {
		return nil
	}
	return shipmentConflict(existing, differences)
}

func sameAddress(a, b Address) bool {
	return a.RecipientName == b.RecipientName && a.City == b.City && a.PostalCode == b.PostalCode &&
		a.RegionCode == b.RegionCode && slices.Equal(a.StreetLines, b.StreetLines)
}

// sameItems: the same set of (SKU, quantity) pairs, in any order.
func sameItems(a, b []Item) bool {
	set := func(items []Item) map[Item]bool {
		s := make(map[Item]bool, len(items))
		for _, item := range items {
			s[item] = true
		}
		return s
	}
	sa, sb := set(a), set(b)
	if len(sa) != len(sb) {
		return false
	}
	for item := range sa {
		if !sb[item] {
			return false
		}
	}
	return true
}

func addressOf(a *commonv1.Address) Address {
	return Address{
		RecipientName: a.GetRecipientName(),
		StreetLines:   slices.Clone(a.GetStreetLines()),
		City:          a.GetCity(),
		PostalCode:    a.GetPostalCode(),
		RegionCode:    a.GetRegionCode(),
	}
}

func itemsOf(items []*commonv1.LineItem) []Item {
	out := make([]Item, len(items))
	for i, item := range items {
		out[i] = Item{SKU: item.GetSku(), Quantity: int(item.GetQuantity())}
	}
	return out
}

var statusOf = map[State]shippingv1.ShipmentStatus{
	Created:   shippingv1.ShipmentStatus_SHIPMENT_STATUS_CREATED,
	Cancelled: shippingv1.ShipmentStatus_SHIPMENT_STATUS_CANCELLED,
}

// shipmentMessage is a stored shipment as the contract's shop.shipping.v1.Shipment.
func shipmentMessage(r Record) *shippingv1.Shipment {
	items := make([]*commonv1.LineItem, len(r.Items))
	for i, item := range r.Items {
		items[i] = &commonv1.LineItem{Sku: item.SKU, Quantity: int32(item.Quantity)}
	}
	return &shippingv1.Shipment{
		Id:         r.ID,
		OrderId:    r.OrderID,
		TrackingId: r.TrackingID,
		Address: &commonv1.Address{
			RecipientName: r.Address.RecipientName,
			StreetLines:   slices.Clone(r.Address.StreetLines),
			City:          r.Address.City,
			PostalCode:    r.Address.PostalCode,
			RegionCode:    r.Address.RegionCode,
		},
		Items:      items,
		Cost:       usdFromCents(r.CostCents),
		Status:     statusOf[r.State],
		CreateTime: timestamppb.New(r.CreateTime),
	}
}
