#!/usr/bin/env bash
# Run every libFuzzer target built by `make fuzz` (MODE=fuzz, clang) for
# FUZZ_SECONDS each, starting from a copy of its committed corpus
# (tests/fuzz/corpus/NAME/), so that new inputs do not dirty the tree.
#
# Prints one line per target (runs, exec/s, corpus growth, coverage) and
# the path of every crasher found; crashers are kept under
# $BUILD/fuzz-out/NAME/ — copy one into tests/fuzz/corpus/NAME/ once it is
# fixed, so that `make check` replays it for ever.  Exits 1 if any target
# crashed.
#
#   BUILD=build FUZZ_SECONDS=120 scripts/fuzz.sh [NAME...]
set -u
cd "$(dirname "$0")/.." || exit 2
BUILD=${BUILD:-build}
FUZZ_SECONDS=${FUZZ_SECONDS:-120}
B=$BUILD/fuzz/fuzz		# $(O)/fuzz with O = $BUILD/fuzz (MODE=fuzz)
OUT=$BUILD/fuzz-out
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
export LC_ALL=C.UTF-8
export MDG_SRCDIR=${MDG_SRCDIR:-$PWD}	# the simulator's test keys (data/cards/keys)

targets=()
for f in "$B"/fuzz_*; do
	[ -x "$f" ] || continue
	case $f in *-corpus|*.d|*.o) continue;; esac
	name=$(basename "$f"); name=${name#fuzz_}
	if [ $# -gt 0 ]; then
		want=0
		for w in "$@"; do [ "$w" = "$name" ] && want=1; done
		[ $want -eq 1 ] || continue
	fi
	targets+=("$name")
done
if [ ${#targets[@]} -eq 0 ]; then
	echo "fuzz: no targets in $B (run: make BUILD=$BUILD fuzz)" >&2
	exit 2
fi

crashed=0
for name in "${targets[@]}"; do
	work=$OUT/$name
	rm -rf "$work"
	mkdir -p "$work/corpus" "$work/crashes"
	[ -d "tests/fuzz/corpus/$name" ] && cp -p "tests/fuzz/corpus/$name/"* "$work/corpus/" 2>/dev/null
	seeds=$(ls "$work/corpus" | wc -l)
	log=$work/log
	"$B/fuzz_$name" -max_total_time="$FUZZ_SECONDS" -timeout=10 -rss_limit_mb=2048 \
		-max_len=4096 -print_final_stats=1 -artifact_prefix="$work/crashes/" \
		"$work/corpus" >"$log" 2>&1
	rc=$?
	runs=$(sed -nE 's/^stat::number_of_executed_units: *([0-9]+).*/\1/p' "$log" | tail -n 1)
	eps=$(sed -nE 's/^stat::average_exec_per_sec: *([0-9]+).*/\1/p' "$log" | tail -n 1)
	cov=$(grep -oE 'cov: [0-9]+' "$log" | tail -n 1 | sed 's/cov: //')
	grown=$(ls "$work/corpus" | wc -l)
	found=$(ls "$work/crashes" | wc -l)
	status=ok
	if [ "$found" -gt 0 ] || [ $rc -ne 0 ]; then
		status=CRASH
		crashed=1
	fi
	printf 'fuzz_%-12s %-5s %8s runs %7s exec/s  cov %5s  corpus %d -> %d  %ss\n' \
		"$name" "$status" "${runs:-?}" "${eps:-?}" "${cov:-?}" "$seeds" "$grown" "$FUZZ_SECONDS"
	if [ "$status" = CRASH ]; then
		for c in "$work"/crashes/*; do
			[ -f "$c" ] && echo "  crasher: $c"
		done
		grep -E 'ERROR: |SUMMARY: |runtime error' "$log" | head -n 5 | sed 's/^/  | /'
		echo "  log: $log"
	fi
done
exit $crashed
