#!/usr/bin/env bash
# Counts the instructions one classification scan costs, per payload, with
# valgrind's callgrind (deterministic, unlike timings on a shared machine).
#
#   scripts/bench-instructions.sh            # the default payloads
#   scripts/bench-instructions.sh prose:1048576
#
# Needs valgrind; installs it from Debian's packages when run as root. Run it
# alone: two callgrind runs at the same time gave counts off by up to half.
# The driver runs with one P (GOMAXPROCS=1): callgrind switches counting on
# per thread, and a scan whose goroutine moved to another thread midway was
# counted only in part (a third of the scan, at times, on a 2-vCPU Xeon).
# The driver is built with the gateway's PGO profile, as the binary ships
# (PGO=off counts without it; PGO=FILE uses another profile).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/bench-lib.sh

if ! command -v valgrind >/dev/null; then
	if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
		echo "installing valgrind" >&2
		apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq valgrind >/dev/null
	else
		echo "bench-instructions: valgrind is not installed (apt-get install valgrind)" >&2
		exit 1
	fi
fi

bin=$(mktemp -d)/instrdrive
trap 'rm -rf "$(dirname "$bin")"' EXIT
pgo=$(pgo_profile)
echo "pgo: $pgo" >&2
go build -pgo="$pgo" -o "$bin" ./internal/classify/instrdrive

payloads=("$@")
[ ${#payloads[@]} -gt 0 ] || payloads=(customers:65536 orders:65536 chat:65536 catalog:65536 prose:65536 prose:1048576 chatreq:2048 chatcold:2048 chatlast:2048 chatturn:2048)

printf '%-10s %9s %14s %10s\n' payload bytes instr/scan instr/byte
for p in "${payloads[@]}"; do
	kind=${p%%:*} size=${p#*:}
	n=5
	[ "$size" -le 4096 ] && n=50
	out=$(GOMAXPROCS=1 GOGC=off GODEBUG=asyncpreemptoff=1 valgrind --tool=callgrind --callgrind-out-file=/dev/null \
		--toggle-collect='main.measured*' "$bin" "$kind" "$size" "$n" 2>&1)
	ir=$(echo "$out" | sed -n 's/.*Collected : *//p' | tr -d ',')
	bytes=$(echo "$out" | grep -v '^==' | head -1 | awk '{print $1}')
	if [ -z "$ir" ] || [ -z "$bytes" ]; then
		echo "bench-instructions: callgrind gave no count for $p" >&2
		echo "$out" | tail -5 >&2
		exit 1
	fi
	awk -v p="$kind" -v b="$bytes" -v ir="$ir" -v n="$n" \
		'BEGIN { printf "%-10s %9d %14d %10.1f\n", p, b, ir / n, ir / n / b }'
done
