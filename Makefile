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
FUZZTIME ?= 60s
# ghz is pinned by exact version: the module proxy lists only an older one.
GHZ_VERSION ?= v0.120.0
SOAK_DURATION ?= 60s

.PHONY: help
help: ## Describe the targets
	@grep -hE '^[a-zA-Z_-]+:.*?## ' $(MAKEFILE_LIST) | awk -F':.*?## ' '{printf "  %-18s %s\n", $$1, $$2}'

.PHONY: build
build: ## Build the binaries, and the pinned grpcurl, into bin/
	go build -o $(BIN)/ ./cmd/...
	go build -modfile=tools/go.mod -o $(BIN)/grpcurl github.com/fullstorydev/grpcurl/cmd/grpcurl

.PHONY: run
run: build ## Build and serve gRPC on :50051 and rudder-transformer's HTTP protocol on :9090 (LISTEN, HTTP_LISTEN to change)
	$(BIN)/cio-transformer serve --listen '$(LISTEN)' --http-listen '$(HTTP_LISTEN)'

.PHONY: test
test: checkgenerate lint breaking ## Check generated code, lint and contract compatibility, then run every test with the race detector and every benchmark once
	go test -race -shuffle=on ./...
	go test -run '^$$' -bench . -benchtime 1x ./...

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
lint: ## gofmt, go vet, buf lint and buf format check
	@unformatted=$$(git ls-files '*.go' | grep -v '^gen/' | xargs gofmt -l); \
		if [ -n "$$unformatted" ]; then echo "gofmt would change: $$unformatted"; exit 1; fi
	go vet ./...
	$(BUF) lint
	$(BUF) format --diff --exit-code proto

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
