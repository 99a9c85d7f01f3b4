#!/usr/bin/env bash
# Times what the PGO profile (cmd/sovereign/default.pgo) gains the
# classifier, inside one process: the working tree's internal/classify,
# which the profile names, against a copy of it in another package, which
# it does not, scanning each payload in turns (as bench-inproc.sh does).
#
# A copy's place in the binary alone changes its speed by a few percent,
# so the same pair is timed a second time built without the profile; the
# gain is the first ratio over the second.
#
#   scripts/bench-pgo.sh [PAYLOADS] [ITERS]
#   scripts/bench-pgo.sh customers:65536,orders:65536,chatreq:2048 300
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/bench-lib.sh

payloads=${1:-customers:65536,orders:65536,chat:65536,prose:65536,chatreq:2048}
iters=${2:-300}
need_count bench-pgo ITERS "$iters"
pgo=$(PGO=${PGO:-cmd/sovereign/default.pgo} pgo_profile)

tmp=internal/benchpgo$$ # inside the module: internal packages import only from within it
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/copy" "$tmp/drive"
cp -r internal/classify/. "$tmp/copy"
strip_copy "$tmp/copy"
ab_driver internal/classify "$tmp/copy" "$tmp/drive/ab_test.go"

# run PGO: "payload minA minB p25A p25B same" with A the profiled package.
run() {
	AB_PAYLOADS=$payloads AB_ITERS=$iters AB_DST=${DST:-} go test -pgo="$1" -count=1 -v -run '^TestInProcessAB$' "./$tmp/drive" |
		sed -n 's/^RESULT //p'
}
echo "profile: $pgo; $iters scans per side and payload, with the profile and without" >&2
{
	run "$pgo" | sed 's/^/pgo /'
	run off | sed 's/^/off /'
} | awk '
	$1 == "pgo" { a[$2] = $3; b[$2] = $4; qa[$2] = $5; qb[$2] = $6; order[++k] = $2 }
	$1 == "off" { a0[$2] = $3; b0[$2] = $4; qa0[$2] = $5; qb0[$2] = $6 }
	END {
		printf "%-18s %12s %12s %12s %10s %10s\n", "payload", "pgo min ns", "copy min ns", "placement", "gain min", "gain p25"
		for (i = 1; i <= k; i++) {
			p = order[i]
			g = (a[p] / b[p]) / (a0[p] / b0[p]); q = (qa[p] / qb[p]) / (qa0[p] / qb0[p])
			printf "%-18s %12d %12d %+11.1f%% %+9.1f%% %+9.1f%%\n", p, a[p], b[p], (a0[p] / b0[p] - 1) * 100, (g - 1) * 100, (q - 1) * 100
		}
	}'
