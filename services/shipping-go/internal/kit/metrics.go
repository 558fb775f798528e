package kit

import (
	"context"
	"errors"
	"net"
	"net/http"
	"strconv"
	"strings"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"google.golang.org/grpc/codes"
)

// Metrics are the service's RPC metrics in the names and labels of packages/kit/src/metrics.ts
// (go-grpc-prometheus's): grpc_server_handled_total and grpc_server_handling_seconds by
// grpc_service, grpc_method and grpc_code, every series labelled with the service's name, plus
// the Go runtime's and the process's own metrics.
type Metrics struct {
	registry *prometheus.Registry
	handled  *prometheus.CounterVec
	handling *prometheus.HistogramVec
}

// Seconds; from a fast cache hit to a saga that waits on several services (the kit's buckets).
var handlingBuckets = []float64{0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10}

// NewMetrics is a registry of the service's own (never the global one).
func NewMetrics(service string) *Metrics {
	registry := prometheus.NewRegistry()
	labelled := prometheus.WrapRegistererWith(prometheus.Labels{"service": service}, registry)
	labels := []string{"grpc_service", "grpc_method", "grpc_code"}
	m := &Metrics{
		registry: registry,
		handled: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "grpc_server_handled_total", Help: "RPCs completed on the server, by method and gRPC status",
		}, labels),
		handling: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "grpc_server_handling_seconds",
			Help:    "Time from a call's arrival to its last message or status, by method and gRPC status",
			Buckets: handlingBuckets,
		}, labels),
	}
	labelled.MustRegister(m.handled, m.handling, collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

func (m *Metrics) observe(fullMethod string, code codes.Code, seconds float64) {
	parts := strings.SplitN(strings.TrimPrefix(fullMethod, "/"), "/", 2)
	service, method := parts[0], ""
	if len(parts) == 2 {
		method = parts[1]
	}
	m.handled.WithLabelValues(service, method, codeName(code)).Inc()
	m.handling.WithLabelValues(service, method, codeName(code)).Observe(seconds)
}

// MetricsServer serves GET /metrics (anything else is 404) on host:port; port 0 picks a free one.
type MetricsServer struct {
	server *http.Server
	Port   int
}

// ServeMetrics starts the /metrics server.
func ServeMetrics(m *Metrics, host string, port int) (*MetricsServer, error) {
	listener, err := net.Listen("tcp", net.JoinHostPort(host, strconv.Itoa(port)))
	if err != nil {
		return nil, err
	}
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", promhttp.HandlerFor(m.registry, promhttp.HandlerOpts{}))
	s := &MetricsServer{server: &http.Server{Handler: mux}, Port: listener.Addr().(*net.TCPAddr).Port}
	go func() {
		if err := s.server.Serve(listener); err != nil && !errors.Is(err, http.ErrServerClosed) {
			panic(err)
		}
	}()
	return s, nil
}

// Close stops the server and its connections.
func (s *MetricsServer) Close(ctx context.Context) error { return s.server.Shutdown(ctx) }
