SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help
MAKEFLAGS += --warn-undefined-variables --no-builtin-rules

# Tools are pinned in go.mod (protoc plugins) and tools/go.mod (buf, grpcurl).
BUF := go tool -modfile=tools/go.mod buf
# The released contract that make breaking compares proto/ with.
BASELINE := proto/baseline.binpb
LISTEN ?= :50051
# rudder-transformer's usual port: where rudder-server's DEST_TRANSFORM_URL points.
HTTP_LISTEN ?= :9090
BIN := bin
# What cio-transformer version and cio_transformer_build_info report; go
# build's own VCS stamping adds the commit time and modified flag.
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
REVISION ?= $(shell git rev-parse HEAD 2>/dev/null || echo unknown)
GO_BUILD := go build -buildvcs=auto -ldflags '-X main.version=$(VERSION) -X main.revision=$(REVISION)'
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
	go build -modfile=tools/go.mod -o $@ github.com/fullstorydev/grpcurl/cmd/grpcurl

.PHONY: run
run: $(BIN)/cio-transformer ## Build and serve gRPC on :50051 and rudder-transformer's HTTP protocol on :9090 (LISTEN, HTTP_LISTEN to change); bin/grpcurl is built in the background once serving
	@echo ">> $(BIN)/cio-transformer serve --listen '$(LISTEN)' --http-listen '$(HTTP_LISTEN)' (Ctrl-C stops it gracefully)"
	@set -m; $(BIN)/cio-transformer serve --listen '$(LISTEN)' --http-listen '$(HTTP_LISTEN)' --log-format text & server=$$!; builder=; \
		if [ ! -x $(BIN)/grpcurl ]; then \
			echo ">> building the pinned grpcurl into $(BIN)/ in the background, for trying the server (see the README)"; \
			( nice -n 10 go build -modfile=tools/go.mod -o $(BIN)/grpcurl github.com/fullstorydev/grpcurl/cmd/grpcurl && \
				echo ">> $(BIN)/grpcurl is ready" ) & builder=$$!; \
		fi; \
		stop() { kill -TERM $$server 2>/dev/null || true; wait $$server; }; \
		trap stop INT TERM; \
		wait $$server || true; \
		if [ -n "$$builder" ]; then kill -TERM -- -$$builder 2>/dev/null || true; fi

.PHONY: test
test: ## Check generated code, lint and contract compatibility, then run every test with the race detector and every benchmark once
	@mkdir -p $(BIN)
	@echo ">> building the pinned buf and grpcurl (tools/go.mod) in the background while gofmt and go vet run"
	@go build -modfile=tools/go.mod -o $(BIN)/ github.com/bufbuild/buf/cmd/buf github.com/fullstorydev/grpcurl/cmd/grpcurl \
		>$(BIN)/tools-build.log 2>&1 & tools=$$!; \
		status=0; $(MAKE) --no-print-directory vet || status=$$?; \
		wait $$tools || { cat $(BIN)/tools-build.log; exit 1; }; exit $$status
	$(MAKE) --no-print-directory checkgenerate buflint breaking BUF=$(BIN)/buf
	@echo ">> go test -race: every test, then every benchmark once, in the same test binaries"
	GRPCURL=$(CURDIR)/$(BIN)/grpcurl go test -race -shuffle=on -bench . -benchtime 1x ./...

# The shared conformance corpus that make conformance replays.
CORPUS ?= ../shared/conformance/customerio

.PHONY: conformance
conformance: ## Replay the conformance corpus (CORPUS) with cio-verify, in-process over gRPC and then over HTTP
	go build -o $(BIN)/cio-verify ./cmd/cio-verify
	$(BIN)/cio-verify $(CORPUS)/*.jsonl $(CORPUS)/differential/*.jsonl
	$(BIN)/cio-verify --http $(CORPUS)/*.jsonl $(CORPUS)/differential/*.jsonl

.PHONY: generate
generate: ## Regenerate gen/ and the reflection descriptors from proto/
	$(BUF) generate
	$(BUF) build -o server/contract.binpb

.PHONY: checkgenerate
checkgenerate: generate ## Fail when gen/ differs from what proto/ generates
	@if [ -n "$$(git status --porcelain -- gen server/contract.binpb)" ]; then \
		echo "generated code is stale: run make generate and commit the result"; \
		git status --porcelain -- gen server/contract.binpb; exit 1; fi

.PHONY: breaking
breaking: ## Fail when proto/ breaks compatibility with the released contract (BASELINE)
	$(BUF) breaking --against $(BASELINE)

.PHONY: contract-baseline
contract-baseline: ## Record proto/ as the released contract (run when releasing; commit the result)
	$(BUF) build --exclude-source-info -o $(BASELINE)

.PHONY: lint
lint: vet buflint ## gofmt, go vet, buf lint and buf format check

.PHONY: vet
vet: ## gofmt and go vet
	@unformatted=$$(git ls-files '*.go' | grep -v '^gen/' | xargs gofmt -l); \
		if [ -n "$$unformatted" ]; then echo "gofmt would change: $$unformatted"; exit 1; fi
	go vet ./...

.PHONY: buflint
buflint: ## buf lint and buf format check of proto/
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
bench: BENCHSTAT := go run golang.org/x/perf/cmd/benchstat@v0.0.0-20260908200009-22c9c6c9d4da
bench: ## Run the mapping benchmarks on one core (BENCHCOUNT times) and cio-bench, and write docs/PERFORMANCE.md
	@mkdir -p $(BIN)/bench docs
	GOMAXPROCS=1 go test -run '^$$' -bench . -benchmem -count $(BENCHCOUNT) ./transform/... | tee $(BIN)/bench/gobench.txt
	$(BENCHSTAT) $(BIN)/bench/gobench.txt | tee $(BIN)/bench/benchstat.txt
	go run ./cmd/cio-bench --duration 10s --json $(BIN)/bench/cio-bench.json
	go run ./cmd/cio-bench --mode longstream --jobs 10000000 --json $(BIN)/bench/longstream.json
	go run ./cmd/cio-bench markdown --run $(BIN)/bench/cio-bench.json --longstream $(BIN)/bench/longstream.json \
		--gobench $(BIN)/bench/gobench.txt --benchstat $(BIN)/bench/benchstat.txt --out docs/PERFORMANCE.md

.PHONY: adversarial
adversarial: ## Attack the real binary row by row (a few minutes; not part of test) and write docs/ADVERSARIAL.md
	go run ./cmd/cio-adversarial --out docs/ADVERSARIAL.md

.PHONY: clean
clean: ## Remove build output
	rm -rf $(BIN)
