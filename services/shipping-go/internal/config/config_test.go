package config

import (
	"strings"
	"testing"
)

func envOf(vars map[string]string) Env {
	return func(name string) (string, bool) {
		v, ok := vars[name]
		return v, ok
	}
}

func TestLoadDefaults(t *testing.T) {
	c, err := Load(envOf(map[string]string{"GRPC_PORT": "0", "MONGO_URL": "mongodb://127.0.0.1:1"}), "shipping")
	if err != nil {
		t.Fatal(err)
	}
	want := Server{Host: "127.0.0.1", LogLevel: "info", ShutdownGraceMs: 5_000, ProbeIntervalMs: 1_000, MetricsPort: -1}
	if c.Server != want || c.Mongo.DB != "shipping" || c.Tracing.Enabled {
		t.Fatalf("got %+v", c)
	}
}

// The messages are the kit's (packages/kit/src/config.ts); mesh-citizen.test.ts compares them
// with the Node service's process by process.
func TestLoadNamesEveryBadVariable(t *testing.T) {
	cases := []struct {
		env  map[string]string
		want string
	}{
		{map[string]string{"MONGO_URL": "mongodb://x"}, `config: GRPC_PORT must be set to a port number 0..65535 (0 picks a free port) (not set)`},
		{map[string]string{"GRPC_PORT": "abc"}, `config: GRPC_PORT must be an integer 0..65535 (got "abc"); MONGO_URL must be set to a mongodb or mongodb+srv URL (not set)`},
		{map[string]string{"GRPC_PORT": "0", "MONGO_URL": "http://u:secret@h"}, `config: MONGO_URL must be a mongodb or mongodb+srv URL (got "http://u:***@h")`},
		{map[string]string{"GRPC_PORT": "0", "MONGO_URL": "mongodb://x", "TRACING": "true"}, `config: TRACING_ZIPKIN_URL must be set when TRACING=true (not set)`},
		{map[string]string{"GRPC_PORT": "0", "MONGO_URL": "mongodb://x", "TRACING": "yes"}, `config: TRACING must be true or false (got "yes")`},
	}
	for _, c := range cases {
		_, err := Load(envOf(c.env), "shipping")
		if err == nil || err.Error() != c.want {
			t.Errorf("env %v:\n got %v\nwant %s", c.env, err, c.want)
		}
		if err != nil && strings.Contains(err.Error(), "secret") {
			t.Errorf("a password was echoed: %v", err)
		}
	}
}
