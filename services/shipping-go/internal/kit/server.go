package kit

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"strconv"
	"time"

	"go.opentelemetry.io/contrib/instrumentation/google.golang.org/grpc/otelgrpc"
	"go.opentelemetry.io/contrib/instrumentation/google.golang.org/grpc/otelgrpc/filters"
	"go.opentelemetry.io/otel"
	"google.golang.org/grpc"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/keepalive"

	"shopmesh/services/shipping-go/internal/config"
)

// Server is a gRPC server with the kit's health, reflection, RPC log and shutdown.
type Server struct {
	grpc    *grpc.Server
	health  *probedHealth
	config  config.Server
	logger  *slog.Logger
	address string
	// Port is the bound port (0 on a Unix socket).
	Port     int
	listener net.Listener
}

// Registration is one service to serve: its full name (for health) and how to register it.
type Registration struct {
	Name     string
	Register func(grpc.ServiceRegistrar)
}

// NewServer builds an unstarted server. Reflection answers for every file the binary's generated
// code registered, which is every shop contract (the main package imports them all).
func NewServer(c config.Server, logger *slog.Logger, metrics *Metrics, services []Registration, probes []Probe) *Server {
	g := grpc.NewServer(
		grpc.ChainUnaryInterceptor(rpcInterceptor(logger, metrics)),
		// Envoy keeps connections open for long; let idle ones be reaped (as the kit's servers do).
		grpc.KeepaliveParams(keepalive.ServerParameters{MaxConnectionIdle: 5 * time.Minute}),
		// Spans only for the shop's own services: Envoy checks health every second.
		grpc.StatsHandler(otelgrpc.NewServerHandler(
			otelgrpc.WithTracerProvider(otel.GetTracerProvider()),
			otelgrpc.WithPropagators(otel.GetTextMapPropagator()),
			otelgrpc.WithFilter(filters.ServicePrefix("shop.")),
		)),
	)
	names := make([]string, len(services))
	for i, s := range services {
		names[i] = s.Name
		s.Register(g)
	}
	h := newProbedHealth(names, probes, time.Duration(c.ProbeIntervalMs)*time.Millisecond, logger)
	healthpb.RegisterHealthServer(g, h.server)
	registerReflection(g)
	return &Server{grpc: g, health: h, config: c, logger: logger}
}

// Address is "127.0.0.1:50051" or "unix:/path/to.sock".
func (s *Server) Address() string { return s.address }

// Start binds the port (or socket), probes once, and serves; health turns SERVING once every probe passes.
func (s *Server) Start() error {
	var err error
	if s.config.Socket != "" {
		if err = removeStaleSocket(s.config.Socket); err != nil {
			return err
		}
		s.listener, err = net.Listen("unix", s.config.Socket)
		s.address = "unix:" + s.config.Socket
	} else {
		s.listener, err = net.Listen("tcp", net.JoinHostPort(s.config.Host, strconv.Itoa(s.config.Port)))
		if err == nil {
			s.Port = s.listener.Addr().(*net.TCPAddr).Port
			s.address = net.JoinHostPort(s.config.Host, strconv.Itoa(s.Port))
		}
	}
	if err != nil {
		return err
	}
	s.health.start()
	go func() { _ = s.grpc.Serve(s.listener) }()
	s.logger.Info("listening", "address", s.address, "serving", s.health.serving())
	return nil
}

// Stop is the graceful stop: health says NOT_SERVING, the server goes on answering for the drain
// delay (callers' health checks see it and route elsewhere), then accepts no new calls and gives
// those in flight the grace period before cancelling them.
func (s *Server) Stop() {
	s.health.stop()
	if s.config.DrainDelayMs > 0 {
		s.logger.Info("draining: NOT_SERVING, still answering", "drain_delay_ms", s.config.DrainDelayMs)
		time.Sleep(time.Duration(s.config.DrainDelayMs) * time.Millisecond)
	}
	stopped := make(chan struct{})
	go func() {
		s.grpc.GracefulStop()
		close(stopped)
	}()
	select {
	case <-stopped:
	case <-time.After(time.Duration(s.config.ShutdownGraceMs) * time.Millisecond):
		s.logger.Warn("calls still running after the grace period; cancelling them", "grace_ms", s.config.ShutdownGraceMs)
		s.grpc.Stop()
	}
	s.logger.Info("stopped")
}

// removeStaleSocket: a socket file left by a process that died can be bound again only once
// removed; one that a live server still answers on is refused rather than stolen.
func removeStaleSocket(path string) error {
	if conn, err := net.DialTimeout("unix", path, time.Second); err == nil {
		_ = conn.Close()
		return fmt.Errorf("another server is listening on %s", path)
	}
	if err := os.Remove(path); err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	return nil
}

// Background is a context for the shutdown steps, bounded so none hangs the exit.
func Background(d time.Duration) (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), d)
}
