# Argument checks the benchmark scripts share; sourced, not run.

# need_args SCRIPT USAGE NARGS: at least one argument, else the usage.
need_args() {
	if [ "$3" -lt 1 ]; then
		echo "usage: scripts/$1.sh $2" >&2
		exit 2
	fi
}

# need_commit SCRIPT REV: REV must name a commit here.
need_commit() {
	if ! git rev-parse --verify --quiet "$2^{commit}" >/dev/null; then
		echo "$1: $2 is not a commit here" >&2
		exit 2
	fi
}

# need_count SCRIPT NAME VALUE: VALUE must be a positive integer.
need_count() {
	case $3 in '' | *[!0-9]* | 0)
		echo "$1: $2 must be a positive integer, not \"$3\"" >&2
		exit 2
		;;
	esac
}

# strip_copy DIR: makes a copy of internal/classify at DIR a plain package
# for the in-process drivers: no driver command, no tests.
strip_copy() {
	rm -rf "$1/instrdrive"
	find "$1" -name '*_test.go' -delete
}

# ab_driver PKGA PKGB OUT: writes to OUT the in-process driver
# (scripts/benchab) that times package PKGA against PKGB, both given as
# paths inside the module.
ab_driver() {
	sed -e "s|MODULE|$(go list -m)|g" -e "s|PKGA|$1|" -e "s|PKGB|$2|" scripts/benchab/ab_test.go.in >"$3"
}

# pgo_profile: the -pgo value the benchmark builds use: $PGO when set, else
# the gateway's profile when there is one, else off. Printed absolute, so
# builds in other directories (a worktree) find it.
pgo_profile() {
	local p=${PGO:-cmd/sovereign/default.pgo}
	if [ "$p" = off ]; then
		echo off
	elif [ -f "$p" ]; then
		echo "$(cd "$(dirname "$p")" && pwd)/$(basename "$p")"
	elif [ -n "${PGO:-}" ]; then
		echo "pgo: no profile at $p" >&2
		exit 2
	else
		echo off
	fi
}
