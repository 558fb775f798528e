// The Go implementation of shop.shipping.v1.ShippingService: the same contract, behaviour,
// environment, logs, health, metrics and traces as services/shipping, so the topology may run
// either (`impl: go`). Load the config, start, stop cleanly on SIGTERM or SIGINT within a bounded
// time; a bad config or a failed start is one clear line on stderr and exit 1.
package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
	"time"

	"google.golang.org/grpc"

	// Every shop contract is registered, so reflection lists and describes them all.
	_ "google.golang.org/genproto/googleapis/rpc/errdetails"
	_ "shopmesh/gen/go/pb/shop/cart/v1"
	_ "shopmesh/gen/go/pb/shop/catalog/v1"
	_ "shopmesh/gen/go/pb/shop/inventory/v1"
	_ "shopmesh/gen/go/pb/shop/notification/v1"
	_ "shopmesh/gen/go/pb/shop/order/v1"
	_ "shopmesh/gen/go/pb/shop/payment/v1"
	shippingv1 "shopmesh/gen/go/pb/shop/shipping/v1"
	_ "shopmesh/gen/go/pb/shop/user/v1"

	"shopmesh/services/shipping-go/internal/config"
	"shopmesh/services/shipping-go/internal/kit"
	"shopmesh/services/shipping-go/internal/shipping"
	"shopmesh/services/shipping-go/internal/store"
)

const (
	name = "shipping"
	// exitTimeout bounds the whole shutdown: a stop that hangs (a store that never closes) still ends the process.
	exitTimeout = 10 * time.Second
)

func main() {
	if len(os.Args) > 1 && os.Args[1] == "healthcheck" {
		if err := healthcheck(os.Args[2:]); err != nil {
			fail(err)
		}
		return
	}
	c, err := config.Load(os.LookupEnv, name)
	if err != nil {
		fail(err)
	}
	logger := kit.NewLogger(os.Stdout, name, c.Server.LogLevel)
	stop, err := start(c, logger)
	if err != nil {
		fail(fmt.Errorf("start failed: %w", err))
	}
	signals := make(chan os.Signal, 1)
	signal.Notify(signals, syscall.SIGTERM, syscall.SIGINT)
	sig := <-signals
	logger.Info("shutting down", "signal", sig.String())
	time.AfterFunc(exitTimeout, func() {
		logger.Error("shutdown took too long; exiting", "timeout_ms", exitTimeout.Milliseconds())
		os.Exit(1)
	})
	if err := stop(); err != nil {
		logger.Error("shutdown failed", "err", err.Error())
		os.Exit(1)
	}
	os.Exit(0)
}

// fail writes the one line a bad config or a failed start is, and exits 1.
func fail(err error) {
	fmt.Fprintln(os.Stderr, err.Error())
	os.Exit(1)
}

// start opens the store, serves, and returns the shutdown: the server first (draining), then what
// it used, in the reverse order it was opened.
func start(c config.Config, logger *slog.Logger) (func() error, error) {
	var closers []func(context.Context) error
	var server *kit.Server
	shutdown := func() error {
		if server != nil {
			server.Stop()
		}
		var first error
		for i := len(closers) - 1; i >= 0; i-- {
			ctx, cancel := kit.Background(5 * time.Second)
			if err := closers[i](ctx); err != nil {
				logger.Error("shutdown step failed", "err", err.Error())
				first = errors.Join(first, err)
			}
			cancel()
		}
		return first
	}
	if c.Tracing.Enabled {
		stopTracing, err := kit.StartTracing(c.Tracing)
		if err != nil {
			return nil, err
		}
		closers = append(closers, stopTracing)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	mongo, err := store.Connect(ctx, c.Mongo.URL, c.Mongo.DB, logger, 15*time.Second, 2*time.Second)
	if err != nil {
		_ = shutdown()
		return nil, err
	}
	closers = append(closers, mongo.Close)
	shipments, err := store.NewShipmentStore(ctx, mongo)
	if err != nil {
		_ = shutdown()
		return nil, err
	}
	var metrics *kit.Metrics
	if c.Server.MetricsPort >= 0 {
		metrics = kit.NewMetrics(name)
	}
	service := shipping.New(shipping.Deps{Store: shipments, Logger: logger})
	server = kit.NewServer(c.Server, logger, metrics, []kit.Registration{{
		Name:     shippingv1.ShippingService_ServiceDesc.ServiceName,
		Register: func(r grpc.ServiceRegistrar) { shippingv1.RegisterShippingServiceServer(r, service) },
	}}, []kit.Probe{{Name: "mongodb", Check: mongo.Ping}})
	if err := server.Start(); err != nil {
		server = nil
		_ = shutdown()
		return nil, err
	}
	if metrics != nil {
		// Loopback only: a scraper on the same host reads it; the mesh never routes to it.
		served, err := kit.ServeMetrics(metrics, "127.0.0.1", c.Server.MetricsPort)
		if err != nil {
			_ = shutdown()
			return nil, err
		}
		closers = append(closers, served.Close)
		logger.Info("serving metrics", "metrics", fmt.Sprintf("http://127.0.0.1:%d/metrics", served.Port))
	}
	return shutdown, nil
}
