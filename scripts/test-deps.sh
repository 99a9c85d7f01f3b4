#!/usr/bin/env bash
# Installs the pinned npm clients the Go tests drive (jsforce for the CRM
# face), from their committed package-lock.json. Idempotent: a folder whose
# node_modules matches its lock file is left alone. The tests run `npm ci`
# themselves when node_modules is missing; this script does it ahead of time
# (CI, offline preparation) and fails loudly when npm cannot.
set -euo pipefail
cd "$(dirname "$0")/.."

command -v node >/dev/null || { echo "test-deps: node is not installed (Node 20 is required)" >&2; exit 1; }
command -v npm >/dev/null || { echo "test-deps: npm is not installed" >&2; exit 1; }

status=0
while IFS= read -r lock; do
	dir=$(dirname "$lock")
	# npm writes node_modules/.package-lock.json on install; equal to the
	# committed lock (same packages) means nothing to do.
	if [ -f "$dir/node_modules/.package-lock.json" ] && [ "$dir/node_modules/.package-lock.json" -nt "$lock" ]; then
		echo "test-deps: $dir is up to date"
		continue
	fi
	echo "test-deps: npm ci in $dir"
	if ! (cd "$dir" && npm ci --no-audit --no-fund); then
		echo "test-deps: npm ci failed in $dir" >&2
		status=1
	fi
done < <(git ls-files '*package-lock.json' 2>/dev/null || find . -name package-lock.json -not -path '*/node_modules/*')
exit $status
