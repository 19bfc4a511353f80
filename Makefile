SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help
MAKEFLAGS += --warn-undefined-variables --no-builtin-rules

# Tools are pinned in go.mod (protoc plugins) and tools/go.mod (buf, grpcurl).
BUF := go tool -modfile=tools/go.mod buf
LISTEN ?= :50051
BIN := bin
FUZZTIME ?= 60s

.PHONY: help
help: ## Describe the targets
	@grep -hE '^[a-zA-Z_-]+:.*?## ' $(MAKEFILE_LIST) | awk -F':.*?## ' '{printf "  %-15s %s\n", $$1, $$2}'

.PHONY: build
build: ## Build the binaries, and the pinned grpcurl, into bin/
	go build -o $(BIN)/ ./cmd/...
	go build -modfile=tools/go.mod -o $(BIN)/grpcurl github.com/fullstorydev/grpcurl/cmd/grpcurl

.PHONY: run
run: build ## Build and serve on :50051 (LISTEN=addr to change)
	$(BIN)/cio-transformer serve --listen '$(LISTEN)'

.PHONY: test
test: checkgenerate lint ## Check generated code and lint, then run every test with the race detector
	go test -race -shuffle=on ./...

.PHONY: generate
generate: ## Regenerate gen/ from proto/
	$(BUF) generate

.PHONY: checkgenerate
checkgenerate: generate ## Fail when gen/ differs from what proto/ generates
	@if [ -n "$$(git status --porcelain -- gen)" ]; then \
		echo "gen/ is stale: run make generate and commit the result"; git status --porcelain -- gen; exit 1; fi

.PHONY: lint
lint: ## go vet, buf lint and buf format check
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

.PHONY: bench
bench: ## Run the mapping benchmarks on one core
	GOMAXPROCS=1 go test -run '^$$' -bench . -benchmem ./transform/...

.PHONY: clean
clean: ## Remove build output
	rm -rf $(BIN)
