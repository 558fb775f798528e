// Package kit is what makes a Go process a citizen of the mesh, as packages/kit does for the
// TypeScript services: JSON logs in the same fields, grpc.health.v1 driven by store probes,
// reflection of every shop contract, one log line and one metric per RPC, the identity header,
// trace context, a Unix socket behind the sidecar, and a graceful, draining shutdown.
package kit

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"time"

	"go.opentelemetry.io/otel/trace"
)

// Levels beyond slog's four, for LOG_LEVEL's trace and fatal.
const (
	levelTrace = slog.Level(-8)
	levelFatal = slog.Level(12)
)

var levels = map[string]slog.Level{
	"trace": levelTrace, "debug": slog.LevelDebug, "info": slog.LevelInfo,
	"warn": slog.LevelWarn, "error": slog.LevelError, "fatal": levelFatal,
}

// NewLogger writes JSON lines like the kit's pino logger: {"level":"info","time":"…Z","service":
// "shipping","msg":"…",…}, with trace_id and span_id within a traced call. Level "silent" writes nothing.
func NewLogger(w io.Writer, service, level string) *slog.Logger {
	if level == "silent" {
		return slog.New(slog.DiscardHandler)
	}
	min, ok := levels[level]
	if !ok {
		min = slog.LevelInfo
	}
	json := slog.NewJSONHandler(w, &slog.HandlerOptions{Level: min, ReplaceAttr: pinoFields})
	return slog.New(traceHandler{json}).With("service", service)
}

// pinoFields spells the time and level as pino does (isoTime, level labels).
func pinoFields(groups []string, a slog.Attr) slog.Attr {
	if len(groups) > 0 {
		return a
	}
	switch a.Key {
	case slog.TimeKey:
		return slog.String(slog.TimeKey, a.Value.Time().UTC().Format("2006-01-02T15:04:05.000Z"))
	case slog.LevelKey:
		return slog.String(slog.LevelKey, levelLabel(a.Value.Any().(slog.Level)))
	}
	return a
}

func levelLabel(l slog.Level) string {
	switch {
	case l <= levelTrace:
		return "trace"
	case l >= levelFatal:
		return "fatal"
	}
	return strings.ToLower(l.String())
}

// traceHandler adds the ids of the span a line is written in (as the kit's logger mixin does).
type traceHandler struct{ slog.Handler }

func (h traceHandler) Handle(ctx context.Context, r slog.Record) error {
	if span := trace.SpanContextFromContext(ctx); span.IsValid() && !hasTraceID(r) {
		r.AddAttrs(slog.String("trace_id", span.TraceID().String()), slog.String("span_id", span.SpanID().String()))
	}
	return h.Handler.Handle(ctx, r)
}

func hasTraceID(r slog.Record) bool {
	found := false
	r.Attrs(func(a slog.Attr) bool {
		found = a.Key == "trace_id"
		return !found
	})
	return found
}

func (h traceHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	return traceHandler{h.Handler.WithAttrs(attrs)}
}

func (h traceHandler) WithGroup(name string) slog.Handler {
	return traceHandler{h.Handler.WithGroup(name)}
}

// errField is an error as pino's err serializer writes it: {"type": …, "message": …}.
func errField(err error) slog.Attr {
	return slog.Group("err", slog.String("type", typeName(err)), slog.String("message", err.Error()))
}

// typeName is the error's Go type ("*errors.errorString" → "errors.errorString"), as pino names the class.
func typeName(err error) string {
	return strings.TrimPrefix(fmt.Sprintf("%T", err), "*")
}

// since is a duration in milliseconds with two decimals, as the kit's duration_ms.
func since(started time.Time) float64 {
	return float64(time.Since(started).Microseconds()/10) / 100
}
