# lib.sh — helpers for shell test suites (tests/*/test_*.sh).
#
#   . "$MDG_SRCDIR/tests/lib/lib.sh"
#   t_begin "name"; ...; t_ok / t_fail "why"
#   t_end                      # prints "N passed, N failed", exits 1 on failure
#
# Every suite gets T_TMP, a private directory removed at exit, and a list of
# background pids (t_bg) that are killed at exit.
set -u
: "${MDG_SRCDIR:=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"
: "${MDG_BUILDDIR:=$MDG_SRCDIR/build/san}"
T_PASS=0 T_FAIL=0 T_SKIP=0 T_NAME=""
T_TMP=$(mktemp -d "${TMPDIR:-/tmp}/mdg-sh-XXXXXX")
T_PIDS=()
t_cleanup() {
	for p in "${T_PIDS[@]}"; do kill "$p" 2>/dev/null; done
	sleep 0.1
	for p in "${T_PIDS[@]}"; do kill -9 "$p" 2>/dev/null; done
	rm -rf "$T_TMP"
}
trap t_cleanup EXIT
t_begin() { T_NAME=$1; }
t_ok() { T_PASS=$((T_PASS + 1)); echo "ok   $T_NAME"; }
t_fail() { T_FAIL=$((T_FAIL + 1)); echo "FAIL $T_NAME: $*"; }
t_skip() { T_SKIP=$((T_SKIP + 1)); echo "skip $T_NAME: $*"; }
t_check() { # t_check DESCRIPTION COMMAND...
	local d=$1; shift
	t_begin "$d"
	if "$@"; then t_ok; else t_fail "command failed: $*"; fi
}
t_bg() { "$@" & T_PIDS+=($!); }
t_bin() { echo "$MDG_BUILDDIR/bin/$1"; }
t_end() {
	if [ "$T_SKIP" -gt 0 ]; then
		echo "$T_PASS passed, $T_FAIL failed, $T_SKIP skipped"
	else
		echo "$T_PASS passed, $T_FAIL failed"
	fi
	[ "$T_FAIL" -eq 0 ]
}
