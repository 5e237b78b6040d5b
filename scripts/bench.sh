#!/usr/bin/env bash
# make bench: speed and memory, measured side by side in one run and printed
# as ratios.  Not a test: nothing here passes or fails on a number.
#
# Each section runs one bench program from $BUILD/rel/bench/.  Sections are
# independent; add yours as a function and list it in SECTIONS.
# BENCH_N scales the data sets (default per section); BENCH_ONLY=name runs one.
set -u
cd "$(dirname "$0")/.." || exit 2
BUILD=${BUILD:-build}
B=$BUILD/rel
case $B in /*) MDG_BUILDDIR=$B;; *) MDG_BUILDDIR=$PWD/$B;; esac
export MDG_SRCDIR=$PWD MDG_BUILDDIR
export LC_ALL=C.UTF-8
WORK=$(mktemp -d "${TMPDIR:-/tmp}/mdg-bench-XXXXXX")
trap 'rm -rf "$WORK"' EXIT

SECTIONS=()

# Each program prints its figures for people and, as "RESULT SECTION KEY
# VALUE" lines, for the JSON summary ($BUILD/bench.json, issue 18), which
# lets two runs be compared; "ROWS" lines are the store bench's row checks.
# Both kinds are kept out of the terminal.
RESULTS=$WORK/results
run_section() {
	local name=$1
	echo
	echo "=== $name"
	"bench_$name" > >(tee -a "$RESULTS" | grep -v -E '^(RESULT|ROWS) ')
	wait
}

# Sections register themselves below this line: define bench_NAME() and
# append NAME to SECTIONS.

# sync (issue 8): central import, initial pull, push, empty round trip and
# concurrent terminals over Noise on 127.0.0.1.  100,000 residents by
# default ($BENCH_N when set); BENCH_SYNC_1M=1 adds a run with 1,000,000.
bench_sync() {
	local n=${BENCH_N:-100000}
	mkdir -p "$WORK/sync" && BENCH_N=$n "$B/bench/bench_sync" "$WORK/sync"
	rm -rf "$WORK/sync"
	if [ "${BENCH_SYNC_1M:-0}" = 1 ]; then
		mkdir -p "$WORK/sync1m" && BENCH_N=1000000 "$B/bench/bench_sync" "$WORK/sync1m"
		rm -rf "$WORK/sync1m"
	fi
}
SECTIONS+=(sync)

# store (issue 3): the encrypting VFS against plain SQLite and SQLCipher on
# the same schema and workload (bulk load, lookups by 宛名番号 and 個人番号,
# kana prefix and birth-date searches).  1,000,000 residents by default
# ($BENCH_N when set; a full run takes several minutes on two cores).
bench_store() {
	mkdir -p "$WORK/store" && "$B/bench/bench_store" "${BENCH_N:-1000000}" "$WORK/store"
	rm -rf "$WORK/store"
}
SECTIONS+=(store)

# card (issue 4): a full identity read through a private pcscd, vpcd and
# mynacard-sim, PIN and 照合番号B paths, extended vs short APDUs: APDUs per
# read against the minimum for the same data, and wall time against the
# minimum APDUs times one measured round trip (issue 11: also F2's PIN read
# with the face through 照合番号A, and the JPKI route).  20 reads per row
# ($BENCH_CARD_READS when set).
bench_card() {
	"$B/bench/bench_card" "${BENCH_CARD_READS:-20}"
}
SECTIONS+=(card)

# lookup (issue 6): search latency p50/p95 at the window through
# lookup_search(), the function the F3 screen calls (criteria parsed from
# typed text, permission and freshness checks, audit row): kana prefix,
# birth date, combined, and opening the record.  1,000,000 residents in the
# encrypted store by default ($BENCH_N when set).
bench_lookup() {
	mkdir -p "$WORK/lookup" && "$B/bench/bench_lookup" "${BENCH_N:-1000000}" "$WORK/lookup"
	rm -rf "$WORK/lookup"
}
SECTIONS+=(lookup)

# startup (issue 18): `madoguchi` with a store and the shipped screens, from
# exec to the login form on a 120x40 pseudo-terminal; median of 15 starts.
bench_startup() {
	mkdir -p "$WORK/startup" && "$B/bench/bench_startup" "$WORK/startup" "${BENCH_STARTUP_RUNS:-15}"
	rm -rf "$WORK/startup"
}
SECTIONS+=(startup)

for s in "${SECTIONS[@]}"; do
	if [ -n "${BENCH_ONLY:-}" ] && [ "$BENCH_ONLY" != "$s" ]; then
		continue
	fi
	run_section "$s"
done
[ ${#SECTIONS[@]} -gt 0 ] || echo "bench: no benchmark sections are built yet"

# The JSON summary: {"date", "commit", "cpus", "results": {section: {key: value}}}.
write_json() {
	local out=$BUILD/bench.json commit
	commit=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
	touch "$RESULTS"
	awk -v date="$(date -u +%Y-%m-%dT%H:%M:%SZ)" -v commit="$commit" \
	    -v cpus="$(nproc)" -v n="${BENCH_N:-default}" '
	$1 == "RESULT" && NF == 4 && $4 ~ /^-?[0-9.]+([eE][-+]?[0-9]+)?$/ {
		if (!($2 in seen)) { order[++ns] = $2; seen[$2] = 1 }
		v[$2] = v[$2] (v[$2] == "" ? "" : ",\n") "    \"" $3 "\": " $4
	}
	END {
		printf "{\n  \"date\": \"%s\",\n  \"commit\": \"%s\",\n", date, commit
		printf "  \"cpus\": %d,\n  \"bench_n\": \"%s\",\n  \"results\": {", cpus, n
		for (i = 1; i <= ns; i++)
			printf "%s\n   \"%s\": {\n%s\n   }", (i > 1 ? "," : ""), order[i], v[order[i]]
		printf "\n  }\n}\n"
	}' "$RESULTS" > "$out.tmp" && mv "$out.tmp" "$out"
	echo
	echo "summary: $out"
}
write_json
