#!/usr/bin/env bash
# Gathers the CPU profile the Go toolchain uses for profile-guided
# optimization of the gateway binary (cmd/sovereign/default.pgo, which
# `go build` and `go run` pick up by themselves), from the benchmarks of the
# request path: classification, the gateway pipeline, CRM, policy and audit.
#
#   scripts/pgo-profile.sh            # writes cmd/sovereign/default.pgo
#   scripts/pgo-profile.sh OUT.pgo    # writes OUT.pgo instead
#
# Re-run it after large changes to the hot paths; a stale profile costs
# only the gain, never correctness (the compiler ignores what no longer
# matches). It takes about two minutes. The regexp baseline is left out: it
# is not part of the gateway, and its samples would only steer inlining
# towards code the binary never runs.
set -euo pipefail
cd "$(dirname "$0")/.."

out=${1:-cmd/sovereign/default.pgo}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# profile NAME PKG BENCH BENCHTIME: one package's benchmarks, profiled.
profile() {
	echo "profiling $2 ($3)" >&2
	go test -run '^$' -bench "$3" -benchtime "$4" -count 1 \
		-cpuprofile "$work/$1.prof" -o "$work/$1.test" "$2" >"$work/$1.txt"
}

profile classify ./internal/classify 'Classify/impl=sovereign|ChatRequest|ChatTurn|BusinessRules' 1s
profile gateway ./internal/gateway 'PipelineInProcess|Stages' 1s
profile crm ./internal/crm 'Create|Collection200' 1s
profile policy ./internal/policy 'Decide' 1s
profile audit ./internal/audit 'AppendBatch$|Verify|EncodePayload|DecodePayload' 1s

go tool pprof -proto "$work"/*.prof >"$work/merged.pgo" 2>/dev/null
mv "$work/merged.pgo" "$out"
echo "wrote $out ($(wc -c <"$out") bytes)" >&2
