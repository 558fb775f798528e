// Package config reads the environment, the only place that does, with the variables, defaults and
// one-line messages of the TypeScript services (packages/kit/src/config.ts, mongoServiceEnvShape):
// either implementation runs from the same environment, and a bad value stops it the same way.
package config

import (
	"fmt"
	"net/url"
	"regexp"
	"strconv"
	"strings"
)

// Server is where and how the gRPC server runs.
type Server struct {
	Host string
	Port int
	// Socket, when set, is the Unix socket to listen on instead of Host:Port.
	Socket          string
	LogLevel        string
	ShutdownGraceMs int
	DrainDelayMs    int
	ProbeIntervalMs int
	// MetricsPort serves /metrics on 127.0.0.1 when set (-1: no metrics server).
	MetricsPort int
}

// Mongo is the service's own database.
type Mongo struct {
	URL string
	DB  string
}

// Tracing is off unless TRACING=true; then spans go to ZipkinURL.
type Tracing struct {
	Enabled     bool
	ZipkinURL   string
	Sampling    float64
	ServiceName string
	Instance    string
}

// Config is everything the shipping service reads.
type Config struct {
	Server  Server
	Mongo   Mongo
	Tracing Tracing
}

// Error names every bad variable in one line: `config: GRPC_PORT must be an integer 0..65535 (got "abc")`.
type Error struct{ Problems []string }

func (e *Error) Error() string { return "config: " + strings.Join(e.Problems, "; ") }

// Env looks a variable up; ok is false when it is not set (os.LookupEnv).
type Env func(name string) (value string, ok bool)

// Load validates the environment; the error is an *Error naming each bad variable.
func Load(env Env, defaultDB string) (Config, error) {
	r := reader{env: env}
	var c Config
	c.Server.Host = r.str("GRPC_HOST", "127.0.0.1", hostPattern, "a host name or IP address")
	port, portSet := r.port("GRPC_PORT")
	c.Server.Socket = r.optional("GRPC_SOCKET", absolutePath, "an absolute path")
	c.Server.LogLevel = r.oneOf("LOG_LEVEL", "info", logLevels, "must be one of "+strings.Join(logLevels, ", "))
	c.Server.ShutdownGraceMs = r.milliseconds("SHUTDOWN_GRACE_MS", 5_000, 1, 60_000)
	c.Server.DrainDelayMs = r.milliseconds("DRAIN_DELAY_MS", 0, 0, 60_000)
	c.Server.ProbeIntervalMs = r.milliseconds("PROBE_INTERVAL_MS", 1_000, 1, 60_000)
	c.Server.MetricsPort = -1
	if metricsPort, ok := r.port("METRICS_PORT"); ok {
		c.Server.MetricsPort = metricsPort
	}
	c.Mongo.URL = r.url("MONGO_URL", []string{"mongodb", "mongodb+srv"})
	c.Mongo.DB = r.str("MONGO_DB", defaultDB, databaseName, "a database name of 1..63 letters, digits, '_' or '-'")
	if len(r.problems) > 0 {
		return c, &Error{r.problems}
	}
	if !portSet && c.Server.Socket == "" {
		return c, &Error{[]string{"GRPC_PORT must be set to a port number 0..65535 (0 picks a free port) (not set)"}}
	}
	c.Server.Port = port
	c.Tracing = r.tracing()
	if len(r.problems) > 0 {
		return c, &Error{r.problems}
	}
	return c, nil
}

var (
	hostPattern   = regexp.MustCompile(`^[\w.:-]+$`)
	absolutePath  = regexp.MustCompile(`^/\S*$`)
	databaseName  = regexp.MustCompile(`^[A-Za-z0-9_-]{1,63}$`)
	digits        = regexp.MustCompile(`^\d+$`)
	portDigits    = regexp.MustCompile(`^\d{1,5}$`)
	ratio         = regexp.MustCompile(`^(0(\.\d+)?|1(\.0+)?)$`)
	name          = regexp.MustCompile(`^[a-z][a-z0-9-]*$`)
	logLevels     = []string{"fatal", "error", "warn", "info", "debug", "trace", "silent"}
	urlPassword   = regexp.MustCompile(`(?i)^([a-z][a-z0-9+.-]*:/*[^/@:\s]*):[^@/\s]*@`)
	booleanValues = []string{"true", "false"}
)

type reader struct {
	env      Env
	problems []string
}

func (r *reader) fail(name, message, value string, set bool) {
	if !set {
		r.problems = append(r.problems, fmt.Sprintf("%s %s (not set)", name, message))
		return
	}
	// A value is echoed as JSON, as the TypeScript services do, and never with a URL's password.
	quoted, _ := jsonString(urlPassword.ReplaceAllString(value, "$1:***@"))
	r.problems = append(r.problems, fmt.Sprintf("%s %s (got %s)", name, message, quoted))
}

func (r *reader) str(name, def string, pattern *regexp.Regexp, expects string) string {
	v, ok := r.env(name)
	if !ok {
		return def
	}
	if !pattern.MatchString(v) {
		r.fail(name, "must be "+expects, v, true)
	}
	return v
}

func (r *reader) optional(name string, pattern *regexp.Regexp, expects string) string {
	v, ok := r.env(name)
	if ok && !pattern.MatchString(v) {
		r.fail(name, "must be "+expects, v, true)
	}
	return v
}

func (r *reader) port(name string) (int, bool) {
	v, ok := r.env(name)
	if !ok {
		return 0, false
	}
	n, err := strconv.Atoi(v)
	if !portDigits.MatchString(v) || err != nil || n > 65_535 {
		r.fail(name, "must be an integer 0..65535", v, true)
		return 0, false
	}
	return n, true
}

func (r *reader) milliseconds(name string, def, lo, hi int) int {
	v, ok := r.env(name)
	if !ok {
		return def
	}
	n, err := strconv.Atoi(v)
	if !digits.MatchString(v) || err != nil || n < lo || n > hi {
		r.fail(name, fmt.Sprintf("must be a whole number of milliseconds %d..%d", lo, hi), v, true)
		return def
	}
	return n
}

func (r *reader) oneOf(name, def string, values []string, message string) string {
	v, ok := r.env(name)
	if !ok {
		return def
	}
	for _, allowed := range values {
		if v == allowed {
			return v
		}
	}
	r.fail(name, message, v, true)
	return def
}

func (r *reader) url(name string, schemes []string) string {
	v, ok := r.env(name)
	expects := strings.Join(schemes, " or ") + " URL"
	if !ok {
		r.fail(name, "must be set to a "+expects, "", false)
		return ""
	}
	if !hasScheme(v, schemes) {
		r.fail(name, "must be a "+expects, v, true)
	}
	return v
}

func hasScheme(value string, schemes []string) bool {
	u, err := url.Parse(value)
	if err != nil {
		return false
	}
	for _, s := range schemes {
		if strings.EqualFold(u.Scheme, s) {
			return true
		}
	}
	return false
}

// tracing reads what the kit's tracing module reads (tracingEnvShape).
func (r *reader) tracing() Tracing {
	t := Tracing{Sampling: 1}
	enabled := r.oneOf("TRACING", "false", booleanValues, "must be true or false")
	zipkin, zipkinSet := r.env("TRACING_ZIPKIN_URL")
	if zipkinSet && !hasScheme(zipkin, []string{"http", "https"}) {
		r.fail("TRACING_ZIPKIN_URL", "must be a http or https URL", zipkin, true)
	}
	if v, ok := r.env("TRACING_SAMPLING"); ok {
		if !ratio.MatchString(v) {
			r.fail("TRACING_SAMPLING", "must be a ratio 0..1", v, true)
		} else {
			t.Sampling, _ = strconv.ParseFloat(v, 64)
		}
	}
	t.ServiceName = r.str("TRACING_SERVICE_NAME", "shop", name, "a service name")
	t.Instance = r.str("TRACING_INSTANCE", "shop", name, "a replica name")
	if len(r.problems) > 0 || enabled != "true" {
		return t
	}
	if !zipkinSet {
		r.problems = append(r.problems, "TRACING_ZIPKIN_URL must be set when TRACING=true (not set)")
		return t
	}
	t.Enabled = true
	t.ZipkinURL = zipkin
	return t
}
