package main

import (
	"context"
	"fmt"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
)

// healthcheck is `shipping-go healthcheck <host:port> [service]`: a grpc.health.v1 Check, exit 0
// only when SERVING. A container image with nothing but the binary checks itself with it (as the
// Node images run deploy/images/grpc-health.mjs).
func healthcheck(args []string) error {
	if len(args) < 1 || len(args) > 2 {
		return fmt.Errorf("usage: healthcheck <host:port> [service]")
	}
	service := ""
	if len(args) == 2 {
		service = args[1]
	}
	conn, err := grpc.NewClient(args[0], grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		return err
	}
	defer conn.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	res, err := healthpb.NewHealthClient(conn).Check(ctx, &healthpb.HealthCheckRequest{Service: service})
	if err != nil {
		return err
	}
	if res.GetStatus() != healthpb.HealthCheckResponse_SERVING {
		return fmt.Errorf("%s: %s", args[0], res.GetStatus())
	}
	return nil
}
