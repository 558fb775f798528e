package shipping

import (
	"fmt"
	"strings"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/protoadapt"
)

// The errors the contract promises, with the details every gRPC client decodes (google.rpc.*)
// and the messages the TypeScript service gives.

// invalidArgument names each field: "invalid address.city: is required; invalid items: …".
func invalidArgument(vs []Violation) error {
	parts := make([]string, len(vs))
	fields := make([]*errdetails.BadRequest_FieldViolation, len(vs))
	for i, v := range vs {
		parts[i] = fmt.Sprintf("invalid %s: %s", v.Field, v.Description)
		fields[i] = &errdetails.BadRequest_FieldViolation{Field: v.Field, Description: v.Description}
	}
	return withDetails(codes.InvalidArgument, strings.Join(parts, "; "), &errdetails.BadRequest{FieldViolations: fields})
}

// shipmentConflict: a replay of CreateShipment with another address or other items.
func shipmentConflict(existing *Record, differences []string) error {
	description := fmt.Sprintf("order %s already has shipment %s with a different %s", existing.OrderID, existing.ID,
		strings.Join(differences, " and "))
	return precondition("SHIPMENT", existing.OrderID, description)
}

// shipmentCancelled: CreateShipment of an order whose shipment was cancelled, before or while it ran.
func shipmentCancelled(orderID string) error {
	return precondition("CANCELLED", orderID, fmt.Sprintf("the shipment of order %s was cancelled", orderID))
}

func precondition(kind, orderID, description string) error {
	return withDetails(codes.FailedPrecondition, description, &errdetails.PreconditionFailure{
		Violations: []*errdetails.PreconditionFailure_Violation{{Type: kind, Subject: "order/" + orderID, Description: description}},
	})
}

func notFound(message, resourceName string) error {
	return withDetails(codes.NotFound, message, &errdetails.ResourceInfo{
		ResourceType: "shop.shipping.v1.Shipment", ResourceName: resourceName, Description: message,
	})
}

func withDetails(code codes.Code, message string, detail protoadapt.MessageV1) error {
	st, err := status.New(code, message).WithDetails(detail)
	if err != nil {
		return status.Error(code, message)
	}
	return st.Err()
}
