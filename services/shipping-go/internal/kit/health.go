package kit

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"google.golang.org/grpc/health"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
)

// Probe checks something the service cannot work without (its store); an error means unhealthy.
type Probe struct {
	Name  string
	Check func(ctx context.Context) error
}

// probedHealth is grpc.health.v1 driven by probes (packages/kit/src/health.ts): SERVING only while
// every probe passes, re-checked every interval; NOT_SERVING from stop() on.
type probedHealth struct {
	server   *health.Server
	names    []string
	probes   []Probe
	interval time.Duration
	logger   *slog.Logger

	mu      sync.Mutex
	failure string
	probed  bool
	stopped bool
	done    chan struct{}
}

func newProbedHealth(serviceNames []string, probes []Probe, interval time.Duration, logger *slog.Logger) *probedHealth {
	h := &probedHealth{
		server: health.NewServer(), names: append([]string{""}, serviceNames...), probes: probes,
		interval: interval, logger: logger, failure: "not probed yet", done: make(chan struct{}),
	}
	h.setAll(healthpb.HealthCheckResponse_NOT_SERVING)
	return h
}

func (h *probedHealth) setAll(s healthpb.HealthCheckResponse_ServingStatus) {
	for _, name := range h.names {
		h.server.SetServingStatus(name, s)
	}
}

func (h *probedHealth) probeOnce() string {
	timeout := max(250*time.Millisecond, h.interval)
	for _, probe := range h.probes {
		ctx, cancel := context.WithTimeout(context.Background(), timeout)
		err := probe.Check(ctx)
		cancel()
		if err != nil {
			return probe.Name + ": " + err.Error()
		}
	}
	return ""
}

func (h *probedHealth) run() {
	result := h.probeOnce()
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.stopped {
		return
	}
	if result != h.failure || !h.probed {
		if result == "" {
			h.logger.Info("healthy: serving")
			h.setAll(healthpb.HealthCheckResponse_SERVING)
		} else {
			h.logger.Warn("unhealthy: not serving", "reason", result)
			h.setAll(healthpb.HealthCheckResponse_NOT_SERVING)
		}
	}
	h.failure, h.probed = result, true
}

// start probes now, then every interval until stop().
func (h *probedHealth) start() {
	h.run()
	go func() {
		ticker := time.NewTicker(h.interval)
		defer ticker.Stop()
		for {
			select {
			case <-h.done:
				return
			case <-ticker.C:
				h.run()
			}
		}
	}()
}

// stop says NOT_SERVING from now on (and ignores later probe results).
func (h *probedHealth) stop() {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.stopped {
		return
	}
	h.stopped = true
	close(h.done)
	h.server.Shutdown()
}

func (h *probedHealth) serving() bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.failure == "" && !h.stopped
}
