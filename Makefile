SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help
MAKEFLAGS += --warn-undefined-variables --no-builtin-rules

# Tools are pinned by go tool directives: the protoc plugins in go.mod, buf
# and grpcurl in tools/go.mod, golangci-lint in tools/golangci/go.mod (a
# module of its own, so that its dependencies never move buf's). Each is
# built once into bin/, without debug information, and rebuilt when its
# go.mod or go.sum changes.
BIN := bin
BUF := $(BIN)/buf
GRPCURL := $(BIN)/grpcurl
GOLANGCI_LINT := $(BIN)/golangci-lint
TOOL_BUILD := go build -ldflags='-s -w'
# buf and grpcurl run for a second on a few small files: built without
# optimisation or inlining they compile in about two thirds of the CPU time
# (buf: 220 CPU-seconds instead of 320 on a cold cache), which is most of a
# first make test. golangci-lint, which reads the whole tree, is optimised.
QUICK_TOOL_BUILD := $(TOOL_BUILD) -gcflags='all=-N -l'
# The released contract that make breaking compares proto/ with.
BASELINE := proto/baseline.binpb
LISTEN ?= :50051
# rudder-transformer's usual port: where rudder-server's DEST_TRANSFORM_URL points.
HTTP_LISTEN ?= :9090
# What cio-transformer version and cio_transformer_build_info report; go
# build's own VCS stamping adds the commit time and modified flag.
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
REVISION ?= $(shell git rev-parse HEAD 2>/dev/null || echo unknown)
GO_BUILD := go build -buildvcs=auto -ldflags '-X main.version=$(VERSION) -X main.revision=$(REVISION)'
# The roots of the standard-library packages the server links. A first build
# spends half a minute downloading modules before it compiles anything; these
# compile meanwhile (a no-op once the build cache has them).
STD_ROOTS := database/sql embed encoding/csv expvar go/token hash/fnv hash/maphash html/template log/slog \
	net/http/httptest net/http/httputil os/signal os/user runtime/debug runtime/metrics runtime/pprof runtime/trace
FUZZTIME ?= 60s
# ghz is pinned by exact version: the module proxy lists only an older one.
GHZ_VERSION ?= v0.120.0
SOAK_DURATION ?= 60s

.PHONY: help
help: ## Describe the targets
	@grep -hE '^[a-zA-Z_-]+:.*?## ' $(MAKEFILE_LIST) | awk -F':.*?## ' '{printf "  %-18s %s\n", $$1, $$2}'

.PHONY: build
build: ## Build the binaries, version-stamped, into bin/ (grpcurl: make bin/grpcurl)
	@echo ">> go build ./cmd/... into $(BIN)/ (a first build downloads and compiles the dependencies)"
	$(GO_BUILD) -o $(BIN)/ ./cmd/...

.PHONY: $(BIN)/cio-transformer
$(BIN)/cio-transformer:
	@echo ">> go build ./cmd/cio-transformer (a first build downloads and compiles the dependencies: about a minute)"
	$(GO_BUILD) -o $@ ./cmd/cio-transformer

$(BIN)/grpcurl: tools/go.mod tools/go.sum
	@echo ">> go build the pinned grpcurl into $@"
	@mkdir -p $(BIN)
	$(QUICK_TOOL_BUILD) -modfile=tools/go.mod -o $@.tmp github.com/fullstorydev/grpcurl/cmd/grpcurl && mv $@.tmp $@

$(BIN)/buf: tools/go.mod tools/go.sum
	@echo ">> go build the pinned buf into $@ (the first build compiles for minutes)"
	@mkdir -p $(BIN)
	$(QUICK_TOOL_BUILD) -modfile=tools/go.mod -o $@.tmp github.com/bufbuild/buf/cmd/buf && mv $@.tmp $@

$(BIN)/golangci-lint: tools/golangci/go.mod tools/golangci/go.sum
	@echo ">> go build the pinned golangci-lint into $@ (the first build compiles for minutes)"
	@mkdir -p $(BIN)
	$(TOOL_BUILD) -modfile=tools/golangci/go.mod -o $@.tmp github.com/golangci/golangci-lint/v2/cmd/golangci-lint && mv $@.tmp $@

.PHONY: tools
tools: $(GRPCURL) $(BUF) $(GOLANGCI_LINT) ## Build the pinned grpcurl, buf and golangci-lint into bin/

.PHONY: run
run: $(BIN)/cio-transformer ## Build and serve gRPC on :50051 and rudder-transformer's HTTP protocol on :9090 (LISTEN, HTTP_LISTEN to change); bin/grpcurl is built in the background once serving
	@echo ">> $(BIN)/cio-transformer serve --listen '$(LISTEN)' --http-listen '$(HTTP_LISTEN)' (Ctrl-C stops it gracefully)"
	@set -m; $(BIN)/cio-transformer serve --listen '$(LISTEN)' --http-listen '$(HTTP_LISTEN)' --log-format text & server=$$!; builder=; \
		if [ ! -x $(GRPCURL) ]; then \
			echo ">> building the pinned grpcurl into $(BIN)/ in the background, for trying the server (see the README)"; \
			( nice -n 10 $(MAKE) --no-print-directory $(GRPCURL) >/dev/null 2>&1 && \
				echo ">> $(GRPCURL) is ready" ) & builder=$$!; \
		fi; \
		stop() { kill -TERM $$server 2>/dev/null || true; wait $$server; }; \
		trap stop INT TERM; \
		wait $$server || true; \
		if [ -n "$$builder" ]; then kill -TERM -- -$$builder 2>/dev/null || true; fi

# make test overlaps the slow parts of a first run: buf and grpcurl compile
# in the background while the library tests compile and run; then the
# checks that use buf run in the background while the end-to-end tests
# (which start the real binary, grpcurl, buf, the Go and Node.js clients)
# run, on binaries built with the race detector like the tests, so that
# they share its compiled packages. golangci-lint (go vet, staticcheck and
# the import rules) is make lint's: CI runs both.
.PHONY: test
test: ## Run every test with the race detector and every benchmark once; check generated code, gofmt, buf lint and contract compatibility
	@mkdir -p $(BIN)
	@echo ">> building the pinned grpcurl and buf in the background ($(BIN)/tools-build.log)"
	@echo ">> go test -race: every library test, then every benchmark once, in the same test binaries"
	@go build -race $(STD_ROOTS) & \
		$(MAKE) --no-print-directory $(GRPCURL) $(BUF) >$(BIN)/tools-build.log 2>&1 & tools=$$!; \
		status=0; go test -race -shuffle=on -bench . -benchtime 1x $$(go list ./... | grep -v '/cmd/cio-transformer$$') || status=$$?; \
		if ! wait $$tools; then cat $(BIN)/tools-build.log; exit 1; fi; exit $$status
	@echo ">> checkgenerate, gofmt, crossvet, buflint and breaking in the background ($(BIN)/checks.log)"
	@echo ">> go test -race ./cmd/cio-transformer: the end-to-end tests, with the tools just built"
	@$(MAKE) --no-print-directory checkgenerate gofmt crossvet buflint breaking >$(BIN)/checks.log 2>&1 & checks=$$!; \
		status=0; GRPCURL=$(CURDIR)/$(GRPCURL) BUF=$(CURDIR)/$(BUF) \
			go test -race -shuffle=on -bench . -benchtime 1x ./cmd/cio-transformer || status=$$?; \
		wait $$checks || status=$$?; cat $(BIN)/checks.log; exit $$status

# The shared conformance corpus that make conformance replays.
CORPUS ?= ../shared/conformance/customerio

.PHONY: conformance
conformance: ## Replay the conformance corpus (CORPUS) with cio-verify, in-process over gRPC and then over HTTP
	go build -o $(BIN)/cio-verify ./cmd/cio-verify
	$(BIN)/cio-verify $(CORPUS)/*.jsonl $(CORPUS)/differential/*.jsonl
	$(BIN)/cio-verify --http $(CORPUS)/*.jsonl $(CORPUS)/differential/*.jsonl

.PHONY: generate
generate: $(BUF) ## Regenerate gen/ and the reflection descriptors from proto/
	$(BUF) generate
	$(BUF) build -o server/contract.binpb

.PHONY: checkgenerate
checkgenerate: $(BUF) ## Fail when gen/ or server/contract.binpb differ from what proto/ generates (the tree is left as it is)
	@tmp=$$(mktemp -d); trap 'rm -rf "$$tmp"' EXIT; \
		$(BUF) generate -o "$$tmp"; \
		$(BUF) build -o "$$tmp/contract.binpb"; \
		status=0; \
		diff -r gen "$$tmp/gen" || status=1; \
		cmp -s server/contract.binpb "$$tmp/contract.binpb" || { echo "server/contract.binpb differs"; status=1; }; \
		if [ $$status -ne 0 ]; then echo "generated code is stale: run make generate and commit the result"; fi; \
		exit $$status

.PHONY: breaking
breaking: $(BUF) ## Fail when proto/ breaks compatibility with the released contract (BASELINE)
	$(BUF) breaking --against $(BASELINE)

.PHONY: contract-baseline
contract-baseline: $(BUF) ## Record proto/ as the released contract (run when releasing; commit the result)
	$(BUF) build --exclude-source-info -o $(BASELINE)

.PHONY: lint
lint: $(GOLANGCI_LINT) buflint ## golangci-lint (.golangci.yml: go vet, staticcheck, gofmt, import rules) and buf lint and format check
	$(GOLANGCI_LINT) run ./...

.PHONY: gofmt
gofmt: ## Fail when gofmt would change a Go file (gen/ aside)
	@unformatted=$$(git ls-files '*.go' | grep -v '^gen/' | xargs gofmt -l); \
		if [ -n "$$unformatted" ]; then echo "gofmt would change: $$unformatted"; exit 1; fi

# The service is built and tested on amd64; these keep it building where int
# is 32 bits and where the parser's assembly is left out.
.PHONY: crossvet
crossvet: ## go vet for 386 (32-bit int), arm64, and the parser without its assembly (-tags purego)
	GOARCH=386 go vet ./...
	GOARCH=arm64 go vet ./...
	go vet -tags purego ./internal/jsvalue

.PHONY: vet
vet: gofmt ## gofmt and go vet only: a quick check without the pinned tools
	go vet ./...

.PHONY: buflint
buflint: $(BUF) ## buf lint and buf format check of proto/
	$(BUF) lint
	$(BUF) format --diff --exit-code proto

.PHONY: dockerfile-check
dockerfile-check: ## Run the Dockerfile's go build line for linux/amd64 and linux/arm64 and check each binary's architecture (no container engine needed)
	scripts/dockerfile-check.sh

.PHONY: fuzz
fuzz: ## Run each fuzz target for FUZZTIME (default 60s)
	@for pkg in $$(go list ./...); do \
		for target in $$(go test -list '^Fuzz' $$pkg | grep '^Fuzz' || true); do \
			echo "== $$pkg $$target"; go test -run '^$$' -fuzz "^$$target$$" -fuzztime $(FUZZTIME) $$pkg; \
		done; \
	done

.PHONY: soak
soak: ## Load the real binary with ghz for SOAK_DURATION (default 60s): no failed call, no RSS growth
	GOBIN=$(CURDIR)/$(BIN) go install github.com/bojand/ghz/cmd/ghz@$(GHZ_VERSION)
	GHZ=$(BIN)/ghz SOAK_DURATION=$(SOAK_DURATION) scripts/soak.sh

.PHONY: bench
bench: BENCHCOUNT ?= 6
# BENCHBASE is the revision whose hot-path benchmarks the "before and after"
# tables compare with the working tree: the last one before the current
# performance work.
bench: BENCHBASE ?= 11af0ba
bench: BENCHSTAT := go run golang.org/x/perf/cmd/benchstat@v0.0.0-20260908200009-22c9c6c9d4da
bench: ## Run the mapping benchmarks on one core (BENCHCOUNT times, and against BENCHBASE) and cio-bench, and write docs/PERFORMANCE.md
	@mkdir -p $(BIN)/bench docs
	GOMAXPROCS=1 go test -run '^$$' -bench . -benchmem -count $(BENCHCOUNT) ./transform/... | tee $(BIN)/bench/gobench.txt
	$(BENCHSTAT) $(BIN)/bench/gobench.txt | tee $(BIN)/bench/benchstat.txt
	BENCHBASE=$(BENCHBASE) BENCHCOUNT=$(BENCHCOUNT) BENCH='^Benchmark(Mixed|MixedBatch|HotPath)$$' OUT=$(BIN)/bench \
		BENCHSTAT="$(BENCHSTAT)" scripts/bench-before-after.sh
	GOMAXPROCS=1 go test -run '^$$' -bench '^BenchmarkMixedBatch$$' -benchtime 3s -cpuprofile $(CURDIR)/$(BIN)/bench/mixed.pprof \
		-o $(BIN)/bench/transform.test ./transform/
	rm -rf $(BIN)/bench/profiles
	go run ./cmd/cio-bench --duration 10s --json $(BIN)/bench/cio-bench.json --cpuprofile-dir $(BIN)/bench/profiles
	go run ./cmd/cio-bench --mode longstream --jobs 10000000 --json $(BIN)/bench/longstream.json
	go run ./cmd/cio-bench --mode http --duration 10s --json $(BIN)/bench/http.json --cpuprofile-dir $(BIN)/bench/profiles
	go run ./cmd/cio-bench --mode http --http-gzip --duration 10s --json $(BIN)/bench/http-gzip.json
	go run ./cmd/cio-bench --mode http --http-compacted --http-gzip --duration 10s --json $(BIN)/bench/http-compacted-gzip.json
	go run ./cmd/cio-bench markdown --run $(BIN)/bench/cio-bench.json --longstream $(BIN)/bench/longstream.json \
		--http $(BIN)/bench/http.json,$(BIN)/bench/http-gzip.json,$(BIN)/bench/http-compacted-gzip.json --gobench $(BIN)/bench/gobench.txt --benchstat $(BIN)/bench/benchstat.txt \
		--before-after $(BIN)/bench/beforeafter.txt --before-rev $(BENCHBASE) \
		--profiles $(BIN)/bench/profiles --mixed-profile $(BIN)/bench/mixed.pprof --out docs/PERFORMANCE.md

.PHONY: adversarial
adversarial: ## Attack the real binary row by row (a few minutes; not part of test) and write docs/ADVERSARIAL.md
	go run ./cmd/cio-adversarial --out docs/ADVERSARIAL.md

.PHONY: clean
clean: ## Remove build output
	rm -rf $(BIN)
