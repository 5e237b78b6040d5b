#!/usr/bin/env bash
# demo-card.sh — the simulated card reader for `make demo` and training: a
# private pcscd (scripts/pcscd-private.sh) with mynacard-sim holding the demo
# residents' cards (data/cards/demo-*.card, the people `madoguchi demo-data`
# loads), then the moved-address and the unregistered card.
#
#   scripts/demo-card.sh start DIR    start both, wait (up to 10 s) until the
#                                     card is in the reader, and print the
#                                     shell lines to use them (eval them
#                                     before madoguchi)
#   scripts/demo-card.sh next DIR     swap to the next card
#   scripts/demo-card.sh remove DIR   take the card out of the reader
#   scripts/demo-card.sh insert DIR   put it back
#   scripts/demo-card.sh stop DIR     stop both
#
# Every demo card has PIN 1234; 照合番号B is typed as printed: the 和暦 birth
# date, 2034 and 1234 (e.g. S20.8.28 2034 1234; see mynacard-sim(1)).
set -eu
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
case $BUILD in /*) ;; *) BUILD=$PWD/$BUILD;; esac	# relative to the tree
export BUILD
cmd=${1:-}
dir=${2:-}
[ -n "$cmd" ] && [ -n "$dir" ] || { sed -n '2,16p' "$0" >&2; exit 2; }
case $dir in /*) ;; *) dir=$PWD/$dir;; esac
SIM=${MYNACARD_SIM:-}
if [ -z "$SIM" ]; then
	for m in rel san; do
		[ -x "$BUILD/$m/bin/mynacard-sim" ] && { SIM=$BUILD/$m/bin/mynacard-sim; break; }
	done
fi
export MYNACARD_SIM=$SIM

sim_signal() {
	[ -f "$dir/sim.pid" ] || { echo "demo-card: not running in $dir" >&2; exit 1; }
	kill "-$1" "$(cat "$dir/sim.pid")"
}

case $cmd in
start)
	[ -n "$SIM" ] || { echo "demo-card: build mynacard-sim first (make)" >&2; exit 1; }
	env=$(scripts/pcscd-private.sh start "$dir")
	eval "$env"
	if ! [ -f "$dir/sim.pid" ] || ! kill -0 "$(cat "$dir/sim.pid")" 2>/dev/null; then
		cards=$(ls data/cards/demo-*.card | sort -V)
		# DEMO_FAULTS=1: the fault cards after the residents' (blocked,
		# last try, bad digest, removed mid-read, ...) for trying the
		# error paths at the window
		faults=""
		[ "${DEMO_FAULTS:-0}" = 1 ] && faults=$(ls data/cards/fault-*.card | sort)
		# shellcheck disable=SC2086
		setsid "$SIM" --port "$MDG_VPCD_PORT" $faults $cards data/cards/other-moved.card \
		    data/cards/other-unregistered.card >"$dir/sim.log" 2>&1 </dev/null &
		echo $! >"$dir/sim.pid"
	fi
	# Return only when the card is in the reader (bounded: 10 s), so that
	# `madoguchi card status` right after this sees it.
	M=$(dirname "$SIM")/madoguchi
	if [ -x "$M" ]; then
		in=0
		for _ in $(seq 100); do
			"$M" card status 2>/dev/null | grep -q 'カード: あり' && { in=1; break; }
			sleep 0.1
		done
		[ $in = 1 ] || echo "demo-card: no card in the reader after 10 s (see $dir/sim.log)" >&2
	fi
	echo "$env"
	;;
next) sim_signal HUP;;
remove) sim_signal USR1;;
insert) sim_signal USR2;;
stop)
	if [ -f "$dir/sim.pid" ]; then
		kill "$(cat "$dir/sim.pid")" 2>/dev/null || true
		rm -f "$dir/sim.pid"
	fi
	scripts/pcscd-private.sh stop "$dir"
	;;
*) sed -n '2,16p' "$0" >&2; exit 2;;
esac
