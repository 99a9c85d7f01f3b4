#!/usr/bin/env bash
# Compares the classification benchmarks of a git revision with the working
# tree, in interleaved runs: old, new, old, new, ... so that a machine whose
# speed drifts (a shared VM) slows both alike. Prints benchstat's comparison
# and each benchmark's best run, the number least moved by other load.
#
#   scripts/bench-ab.sh REV [BENCH-REGEXP] [ROUNDS]
#   scripts/bench-ab.sh 44304c1
#   scripts/bench-ab.sh HEAD 'Classify/impl=sovereign/kind=customers|ChatRequest' 14
#
# Each round runs every matching benchmark once per binary (-count 1). Ten
# rounds tell a 4-5% change apart on a quiet 2-core machine; on a noisy one,
# more rounds, or instruction counts (scripts/bench-instructions.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/bench-lib.sh

need_args bench-ab "REV [BENCH-REGEXP] [ROUNDS]" $#
rev=$1
bench=${2:-'Classify/impl=sovereign|ChatRequest'}
rounds=${3:-10}
need_count bench-ab ROUNDS "$rounds"
need_commit bench-ab "$rev"

work=$(mktemp -d)
trap 'git worktree remove --force "$work/old" >/dev/null 2>&1 || true; rm -rf "$work"' EXIT
git worktree add --quiet --detach "$work/old" "$rev"
# Both binaries are built with the working tree's PGO profile (PGO=off for
# none), so that only the code differs.
pgo=$(pgo_profile)
echo "building $rev and the working tree (pgo: $pgo)" >&2
(cd "$work/old" && go test -pgo="$pgo" -c -o "$work/old.test" ./internal/classify)
go test -pgo="$pgo" -c -o "$work/new.test" ./internal/classify

cd internal/classify # test binaries run in their package's directory, as go test runs them
for r in $(seq "$rounds"); do
	echo "round $r of $rounds" >&2
	for side in old new; do
		"$work/$side.test" -test.run '^$' -test.bench "$bench" -test.benchmem -test.count 1 |
			grep '^Benchmark' >>"$work/$side.txt" || true
	done
done
if [ ! -s "$work/new.txt" ]; then
	echo "bench-ab: no benchmark matches \"$bench\"" >&2
	exit 1
fi
cd ../..
go tool benchstat "$work/old.txt" "$work/new.txt"
echo
echo "best run (ns/op): old -> new"
awk 'FNR == 1 { side++ }
	{ name = $1; ns = $3 + 0
	  if (side == 1 && (!(name in o) || ns < o[name])) o[name] = ns
	  if (side == 2 && (!(name in n) || ns < n[name])) n[name] = ns }
	END { for (k in n) if (k in o) printf "%-70s %12.0f %12.0f %+6.1f%%\n", k, o[k], n[k], (n[k] / o[k] - 1) * 100 }' \
	"$work/old.txt" "$work/new.txt" | sort
