#!/usr/bin/env bash
# demo-central.sh — a local madoguchi-central with the demo residents, for
# `make demo` and training (issue 8).  Loopback only.
#
#   scripts/demo-central.sh start DIR [PORT]      create (once), load, serve
#   scripts/demo-central.sh enroll DIR STORE USER  enrol a terminal store and sync
#                                                  (the password on standard input)
#   scripts/demo-central.sh stop DIR
#
# The central's store, log and pid file live in DIR.  The residents are the
# synthetic 窓口市 (seed 1, $DEMO_COUNT, default 1000): the same people as
# `madoguchi demo-data` and the simulated cards.
set -eu
cd "$(dirname "$0")/.." || exit 2
BUILD=${BUILD:-build}
BIN=${MDG_BIN:-$BUILD/rel/bin}
M=$BIN/madoguchi

cmd=${1:-}
dir=${2:-}
[ -n "$cmd" ] && [ -n "$dir" ] || { sed -n '2,13p' "$0" >&2; exit 2; }
mkdir -p "$dir"
store=$dir/central
conf=$dir/central.conf
C() { "$BIN/madoguchi-central" --config "$conf" "$@"; }

case $cmd in
start)
	port=${3:-7700}
	if [ ! -f "$conf" ]; then
		# madoguchi-central.conf(5): the store, and exports into an
		# owner-only directory beside it.
		absdir=$(cd "$dir" && pwd)
		mkdir -p -m 700 "$absdir/export"
		cat >"$conf" <<CONF
# The demo central's configuration (madoguchi-central.conf(5)).
[store]
dir = $absdir/central

[export]
dir = $absdir/export
CONF
	fi
	if [ ! -f "$store/central.key" ]; then
		C init >/dev/null
		C demo-data --count "${DEMO_COUNT:-1000}" --seed 1
		# The demo staff are accounts of the central too: it accepts an
		# application only from an active account with the right, and a
		# confirmation only from a different reviewer (issue 15).
		perms="kokuho:write;maru-fuku:write;yobo:write;jiritsu-seishin:write;iryohi-josei:write"
		{
			# issue 14: individual names, a request reference each,
			# the end of the fiscal year (the demo store is made again
			# after it)
			echo "name,display,role,perms,view_mynumber,request"
			echo "kanri-misaki,管理 美咲,admin,$perms,1,DEMO-kanri-misaki"
			echo "mado-hanako,窓口 花子,clerk,$perms,1,DEMO-mado-hanako"
			echo "mado-jiro,窓口 次郎,clerk,$perms,1,DEMO-mado-jiro"
			echo "rev1,審査 一郎,reviewer,$perms,1,DEMO-rev1"
			echo "rev2,審査 二郎,reviewer,$perms,1,DEMO-rev2"
		} >"$dir/accounts.csv"
		C import accounts "$dir/accounts.csv"
	fi
	# Reference data (issue 19), the committed samples; importing the same
	# files again changes nothing, so an older demo central gets them too.
	"$C" --store "$store" import banks data/refdata/zengin-data.js >/dev/null
	"$C" --store "$store" import postal data/refdata/KEN_ALL.CSV >/dev/null
	if [ -f "$dir/central.pid" ] && kill -0 "$(cat "$dir/central.pid")" 2>/dev/null; then
		echo "demo central already running (pid $(cat "$dir/central.pid"))"
		exit 0
	fi
	# the binary itself, not the function, so that $! is its pid
	"$BIN/madoguchi-central" --config "$conf" serve --listen "127.0.0.1:$port" \
		--log "$dir/central.log" &
	echo $! >"$dir/central.pid"
	echo "127.0.0.1:$port" >"$dir/central.addr"
	for _ in $(seq 50); do
		grep -q "serving on" "$dir/central.log" 2>/dev/null && break
		sleep 0.1
	done
	echo "demo central on 127.0.0.1:$port (pid $(cat "$dir/central.pid")), key $(C key)"
	;;
enroll)
	tstore=${3:?terminal store}
	user=${4:?admin user}
	pw=$(cat)
	token=$(C terminal enrol DEMO01 | sed -n 2p)
	printf '%s\n%s\n' "$pw" "$token" | "$M" --store "$tstore" enroll \
		--central "$(cat "$dir/central.addr")" \
		--central-key "$(C key)" \
		--user "$user" --password-stdin --token-stdin
	printf '%s\n' "$pw" | "$M" --store "$tstore" sync --user "$user" --password-stdin
	;;
stop)
	if [ -f "$dir/central.pid" ]; then
		kill "$(cat "$dir/central.pid")" 2>/dev/null || true
		rm -f "$dir/central.pid"
	fi
	;;
*)
	sed -n '2,13p' "$0" >&2
	exit 2
	;;
esac
