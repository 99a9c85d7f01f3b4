#!/usr/bin/env bash
# Times a revision's classifier against the working tree's inside one
# process, in turns: each scan of a payload runs once on each copy, the
# order alternating, and the minimum and first quartile of each side are
# compared. On a shared VM where separate processes differ by 10-40% from
# run to run (bench-ab.sh's interleaved binaries), this sees a few percent.
#
# Where a copy sits in the binary changes its speed by 2-6% by itself, so
# both copies are built as packages of their own and the comparison runs
# twice, with the copies' places swapped; the table shows each run's change
# and their mean, which cancels the placement.
#
# It compares the code without PGO: the gateway's profile names the
# functions of internal/classify, and the copies are other packages.
#
#   scripts/bench-inproc.sh REV [PAYLOADS] [ITERS]
#   scripts/bench-inproc.sh HEAD
#   scripts/bench-inproc.sh HEAD~3 customers:65536,orders:65536,chatreq:2048 400
#
# PAYLOADS: comma-separated KIND:SIZE, KIND a synth kind or chatreq (the
# 2 KiB chat request of BenchmarkChatRequest). The copies live in a
# directory this script creates inside the module and removes on exit.
# DST=nil passes every scan a nil dst, as the gateway does, instead of one
# reused slice: the findings' growth is then part of the time.
# SEEDS=N makes the scans go round N bodies of each payload (seeds 1 to N)
# instead of one: a body scanned over and over is learnt by the branch
# predictors, and ran 12-16% faster than eight bodies in turn (customer
# records at 64 KiB, docs/classify-bench.md, "The seventh session").
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/bench-lib.sh

need_args bench-inproc "REV [PAYLOADS] [ITERS]" $#
rev=$1
payloads=${2:-customers:65536,orders:65536,chat:65536,prose:65536,chatreq:2048}
iters=${3:-300}
need_count bench-inproc ITERS "$iters"
[ -z "${SEEDS:-}" ] || need_count bench-inproc SEEDS "$SEEDS"
need_commit bench-inproc "$rev"

tmp=internal/benchinproc$$ # inside the module: internal packages import only from within it
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/old" "$tmp/new" "$tmp/drive"
git archive "$rev" internal/classify | tar -x -C "$tmp/old" --strip-components=2
cp -r internal/classify/. "$tmp/new"
strip_copy "$tmp/old"
strip_copy "$tmp/new"

# run A B: the driver with copy A in the first place, B in the second.
run() {
	ab_driver "$tmp/$1" "$tmp/$2" "$tmp/drive/ab_test.go"
	AB_PAYLOADS=$payloads AB_ITERS=$iters AB_DST=${DST:-} AB_SEEDS=${SEEDS:-1} go test -count=1 -v -run '^TestInProcessAB$' "./$tmp/drive" |
		sed -n "s/^RESULT /$1 /p"
}
echo "$rev against the working tree, $iters scans per side and payload, twice" >&2
{
	run old new
	run new old
} | awk '
	# old-first lines: old new; new-first lines: new old. Put old first.
	$1 == "old" { o1[$2] = $3; n1[$2] = $4; op1[$2] = $5; np1[$2] = $6; same[$2] = $7; order[++k] = $2 }
	$1 == "new" { n2[$2] = $3; o2[$2] = $4; np2[$2] = $5; op2[$2] = $6; same[$2] = same[$2] && $7 }
	END {
		printf "%-18s %10s %10s %8s %8s %8s %8s %8s %8s\n", "payload", "old min", "new min", "min 1", "min 2", "min", "p25 1", "p25 2", "p25"
		for (i = 1; i <= k; i++) {
			p = order[i]
			m1 = n1[p] / o1[p]; m2 = n2[p] / o2[p]
			q1 = np1[p] / op1[p]; q2 = np2[p] / op2[p]
			om = o1[p] < o2[p] ? o1[p] : o2[p]; nm = n1[p] < n2[p] ? n1[p] : n2[p]
			printf "%-18s %10d %10d %+7.1f%% %+7.1f%% %+7.1f%% %+7.1f%% %+7.1f%% %+7.1f%%%s\n", p, om, nm,
				(m1 - 1) * 100, (m2 - 1) * 100, (sqrt(m1 * m2) - 1) * 100,
				(q1 - 1) * 100, (q2 - 1) * 100, (sqrt(q1 * q2) - 1) * 100, same[p] ? "" : "  (findings differ)"
		}
	}'
