#!/usr/bin/env bash
# Times a revision's classifier against the working tree's inside one
# process, in turns: each scan of a payload runs once on each copy, the
# order alternating, and the minimum and first quartile of each side are
# compared. On a shared VM where separate processes differ by 10-40% from
# run to run (bench-ab.sh's interleaved binaries), two copies of the same
# code measured this way agree within 1-2%.
#
#   scripts/bench-inproc.sh REV [PAYLOADS] [ITERS]
#   scripts/bench-inproc.sh HEAD
#   scripts/bench-inproc.sh HEAD~3 customers:65536,orders:65536,chatreq:2048 400
#
# PAYLOADS: comma-separated KIND:SIZE, KIND a synth kind or chatreq (the
# 2 KiB chat request of BenchmarkChatRequest). The revision's copy of
# internal/classify is built as a package of its own, in a directory this
# script creates inside the module and removes on exit.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ $# -lt 1 ]; then
	echo "usage: scripts/bench-inproc.sh REV [PAYLOADS] [ITERS]" >&2
	exit 2
fi
rev=$1
payloads=${2:-customers:65536,orders:65536,chat:65536,prose:65536,chatreq:2048}
iters=${3:-300}
case $iters in '' | *[!0-9]* | 0)
	echo "bench-inproc: ITERS must be a positive integer, not \"$iters\"" >&2
	exit 2
	;;
esac
if ! git rev-parse --verify --quiet "$rev^{commit}" >/dev/null; then
	echo "bench-inproc: $rev is not a commit here" >&2
	exit 2
fi

module=$(go list -m)
tmp=internal/benchinproc$$ # inside the module: internal packages import only from within it
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/old" "$tmp/drive"
git archive "$rev" internal/classify | tar -x -C "$tmp/old" --strip-components=2
rm -rf "$tmp/old/instrdrive"
find "$tmp/old" -name '*_test.go' -delete
sed -e "s|MODULE|$module|g" -e "s|OLDPKG|$tmp/old|" scripts/benchab/ab_test.go.in >"$tmp/drive/ab_test.go"
echo "$rev against the working tree, $iters scans per side and payload (ns per scan)" >&2
AB_PAYLOADS=$payloads AB_ITERS=$iters go test -count=1 -v -run '^TestInProcessAB$' "./$tmp/drive" | grep -v -e '^=== RUN' -e '^--- PASS' -e '^PASS' -e '^ok '
