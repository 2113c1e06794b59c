# sfconnect: `make run` runs the product on this machine, `make test` runs the
# whole test suite. Both install what they need into .bin/ (git-ignored).

GO          ?= go
# Target names are relative (`make .bin/temporal` works); what runs them
# gets absolute paths (ABSBIN), as `go install` and the tests need.
BIN         := .bin
ABSBIN      := $(CURDIR)/$(BIN)
TEMPORAL    := $(BIN)/temporal
# The dev server is the Temporal CLI built from its Go module at a pinned
# version (later tags cannot be `go install`ed: their go.mod has a replace).
TEMPORAL_CLI_VERSION := v1.5.1
# The production server and its schema tool, built from go.temporal.io/server
# at the version docker-compose.yml pins (deploy/versions.env, shared with
# it). `go install` names them server and sql; each version has its folder,
# with the PostgreSQL schemas the tool applies (the image's
# /etc/temporal/schema).
include deploy/versions.env
TEMPORAL_SERVER_DIR := $(BIN)/temporal-server-v$(TEMPORAL_SERVER_VERSION)
TEMPORAL_SERVER     := $(TEMPORAL_SERVER_DIR)/server
WORKFLOWCHECK := $(BIN)/workflowcheck
STATICCHECK   := $(BIN)/staticcheck

export SFCONNECT_TEMPORAL_BIN := $(CURDIR)/$(TEMPORAL)
export SFCONNECT_TEMPORAL_SERVER_DIR := $(CURDIR)/$(TEMPORAL_SERVER_DIR)
# `go test` alone skips what needs a missing PostgreSQL, Temporal CLI or
# chromium; under make those fail (internal/testneeds).
export SFCONNECT_TEST_REQUIRE_ALL := 1

.PHONY: run test bench build unit fuzz integration production temporal-server browser check clean-data compose-cli chromium

## run: the dev server (Web UI on :8233), the sandbox, the worker and the console (:8088); Ctrl-C stops them.
run: $(TEMPORAL)
	$(GO) run ./cmd/run -temporal $(CURDIR)/$(TEMPORAL)

## test: static checks, unit tests with the race detector, integration tests on the real dev server, then on the production topology.
test: check unit fuzz integration production browser

build:
	$(GO) build -o bin/ ./cmd/...

## bench: the benchmarks of BENCHMARKS.md, each beside its naive baseline.
bench: $(TEMPORAL) build
	bin/bench automap -temporal $(CURDIR)/$(TEMPORAL) -worker bin/worker

## check: go vet, staticcheck, and workflowcheck (workflow code must be deterministic).
check: $(WORKFLOWCHECK) $(STATICCHECK)
	$(GO) vet ./...
	$(STATICCHECK) ./...
	$(WORKFLOWCHECK) ./...

unit: compose-cli $(TEMPORAL)
	$(GO) test -race -count=1 $$($(GO) list ./... | grep -v /testsuite)

## browser: the console in Debian's chromium, driven by chromedp, through the whole article.
browser: $(TEMPORAL) chromium
	$(GO) test -count=1 -timeout 10m ./testsuite/browser/

## chromium: the browser the browser tests drive (Debian's package; CI runs as root).
chromium:
	@command -v chromium >/dev/null || { \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; \
		else \
			echo "chromium is not installed: run apt-get install chromium (as root)"; exit 1; \
		fi; }

## compose-cli: the docker-compose CLI that deploy/'s test validates docker-compose.yml with (Debian's package; CI runs as root).
compose-cli:
	@command -v docker-compose >/dev/null || { \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq docker-compose; \
		else \
			echo "docker-compose not installed (apt-get install docker-compose): docker-compose.yml is checked without it"; \
		fi; }

## fuzz: a short run of each fuzz target (seed corpora under testdata/fuzz).
# Bounded by executions, not seconds: with a duration, Go 1.26's fuzzing
# coordinator can fail a target with a bare "context deadline exceeded" at
# the deadline when the machine is loaded (go.dev/issue/75804, fixed in Go
# 1.27; seen in this project's CI run). The counts are about 10 s of work
# here.
fuzz:
	$(GO) test -run='^$$' -fuzz=FuzzParse -fuzztime=100000x -timeout 5m ./orgurl
	$(GO) test -run='^$$' -fuzz=FuzzReader -fuzztime=100000x -timeout 5m ./mappingcsv
	$(GO) test -run='^$$' -fuzz=FuzzNeutralize -fuzztime=200000x -timeout 5m ./mappingcsv

## integration: the integration tests, once on each store (SQLite, then PostgreSQL).
integration: $(TEMPORAL)
	$(GO) test -count=1 -timeout 15m $$($(GO) list ./testsuite/... | grep -v -e /browser -e /production)
	SFCONNECT_TEST_STORE=postgres $(GO) test -count=1 -timeout 15m $$($(GO) list ./testsuite/... | grep -v -e /browser -e /production)

## production: sfconnect on the production topology without Docker (README, Production without Docker): Temporal's server on the local PostgreSQL, set up by deploy/'s scripts, two worker processes.
production: $(TEMPORAL) temporal-server
	$(GO) test -count=1 -timeout 12m ./testsuite/production/

$(TEMPORAL):
	@echo "Installing the Temporal CLI $(TEMPORAL_CLI_VERSION) into .bin/ (a few minutes, once)…"
	GOBIN=$(ABSBIN) $(GO) install github.com/temporalio/cli/cmd/temporal@$(TEMPORAL_CLI_VERSION)

## temporal-server: the production Temporal server and its schema tool, into .bin/ (about 6 minutes, once).
temporal-server: $(TEMPORAL_SERVER) $(TEMPORAL_SERVER_DIR)/schema

$(TEMPORAL_SERVER):
	@echo "Installing Temporal server v$(TEMPORAL_SERVER_VERSION) and its schema tool into $(TEMPORAL_SERVER_DIR) (about 6 minutes, once)…"
	mkdir -p $(TEMPORAL_SERVER_DIR)
	GOBIN=$(CURDIR)/$(TEMPORAL_SERVER_DIR) $(GO) install go.temporal.io/server/cmd/server@v$(TEMPORAL_SERVER_VERSION) go.temporal.io/server/cmd/tools/sql@v$(TEMPORAL_SERVER_VERSION)

# The schemas are in the module go install downloaded (the version's own).
$(TEMPORAL_SERVER_DIR)/schema: $(TEMPORAL_SERVER)
	rm -rf $@.tmp
	cp -R "$$($(GO) env GOMODCACHE)/go.temporal.io/server@v$(TEMPORAL_SERVER_VERSION)/schema" $@.tmp
	chmod -R u+w $@.tmp
	mv $@.tmp $@

$(WORKFLOWCHECK):
	GOBIN=$(ABSBIN) $(GO) install go.temporal.io/sdk/contrib/tools/workflowcheck@v0.6.0

$(STATICCHECK):
	GOBIN=$(ABSBIN) $(GO) install honnef.co/go/tools/cmd/staticcheck@v0.8.2

## clean-data: forget the default run's data (.data/).
clean-data:
	rm -rf .data
