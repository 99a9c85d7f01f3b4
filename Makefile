# Sovereign's build, run and test entry points. The README's two commands are
# `make run` and `make test`; .ci/run calls `make test`.

GO      ?= go
PKGS    ?= ./...
BENCH   ?= .
COUNT   ?= 6
# The profile `go build` and `go run` use for the gateway binary (PGO); the
# benchmarks use it too, so that they measure the code as it ships.
# PGO=off measures without it.
PGO     ?= $(CURDIR)/cmd/sovereign/default.pgo

.PHONY: all build run demo test test-deps lint vet fmt-check staticcheck test-race test-allocs test-purego bench bench-instr pgo clean

all: build

build:
	$(GO) build -o bin/sovereign ./cmd/sovereign

# Runs the gateway on the embedded quick-start defaults.
run:
	$(GO) run ./cmd/sovereign serve

# Echo LLM upstreams on the examples' ports, printing what each receives.
demo:
	$(GO) run ./cmd/sovereign demo-upstreams

# The test command: formatting, vet, staticcheck, the race-enabled suite, the
# allocation tests, which only mean something without -race, and the
# classifier without its vector code.
test: lint test-deps test-race test-allocs test-purego

# The pinned npm clients the tests drive (jsforce); the tests install them
# themselves when missing, this makes an npm failure show up first.
test-deps:
	scripts/test-deps.sh

lint: fmt-check vet staticcheck

fmt-check:
	@out="$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go' -not -path './node_modules/*'))"; \
	if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

vet:
	$(GO) vet $(PKGS)

staticcheck:
	$(GO) tool staticcheck $(PKGS)

# -pgo=off: the profile changes no behaviour, and with it the test of
# cmd/sovereign (a main package) rebuilt every package a second time: a cold
# build took 259 s with it and 200 s without on the 2-vCPU CI machine.
test-race:
	$(GO) test -race -pgo=off -count=1 -timeout 15m $(PKGS)

test-allocs:
	$(GO) test -count=1 -run 'Allocates' ./internal/classify

# The classifier's scalar twins of its vector code, as machines without AVX2
# (or -tags purego builds) run them.
test-purego:
	$(GO) test -count=1 -tags purego ./internal/classify

# Benchmarks: make bench PKGS=./internal/classify BENCH=Scan > new.txt, then
# go tool benchstat old.txt new.txt
bench:
	$(GO) test -pgo=$(PGO) -run '^$$' -bench '$(BENCH)' -benchmem -count $(COUNT) $(PKGS)

# Instructions per classification scan, counted by valgrind: a number that
# does not move with the machine's load (docs/classify-bench.md).
bench-instr:
	PGO=$(PGO) scripts/bench-instructions.sh

# Re-gathers the PGO profile from the request path's benchmarks (~2 min).
pgo:
	scripts/pgo-profile.sh

clean:
	rm -rf bin dist
