#!/usr/bin/env bash
# pcscd-private.sh — a private pcscd with a vpcd reader, for the demo, for
# training and for trying mynacard-sim by hand.  The system's pcscd (if any)
# is never stopped, reconfigured or touched.
#
#   scripts/pcscd-private.sh start DIR [PORT]  start pcscd; prints the shell
#                                              lines to use it (eval them)
#   scripts/pcscd-private.sh stop DIR          stop what start started
#   scripts/pcscd-private.sh env DIR           print the lines again
#
# Example:
#   eval "$(scripts/pcscd-private.sh start /tmp/mdg-pcscd)"
#   build/rel/bin/mynacard-sim --port "$MDG_VPCD_PORT" data/cards/demo-yamada-taro.card &
#   build/rel/bin/madoguchi card status
#   scripts/pcscd-private.sh stop /tmp/mdg-pcscd
#
# How: mynacard-sim --pcscd creates DIR/reader.conf.d/vpcd (the vpcd driver
# on PORT and PORT+1) and the socket DIR/pcscd.comm, and execs
# `pcscd --foreground --config DIR/reader.conf.d` socket-activated on it.
# pcsc-lite clients use that pcscd when PCSCLITE_CSOCK_NAME=DIR/pcscd.comm.
set -eu
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
case $BUILD in /*) ;; *) BUILD=$PWD/$BUILD;; esac	# relative to the tree
SIM=${MYNACARD_SIM:-}
if [ -z "$SIM" ]; then
	for m in rel san; do
		[ -x "$BUILD/$m/bin/mynacard-sim" ] && { SIM=$BUILD/$m/bin/mynacard-sim; break; }
	done
fi

# Is something listening on TCP port $1?  (/proc/net, so no iproute2 needed.)
port_busy() {
	local hex
	hex=$(printf '%04X' "$1")
	cat /proc/net/tcp /proc/net/tcp6 2>/dev/null |
	    awk -v p=":$hex" '$4 == "0A" && substr($2, length($2) - 4) == p { f = 1 } END { exit !f }'
}

pick_port() {
	local p
	for _ in $(seq 1 50); do
		p=$(( 20000 + RANDOM % 20000 ))
		port_busy "$p" || port_busy $((p + 1)) || { echo "$p"; return 0; }
	done
	return 1
}

print_env() {
	local dir=$1
	if [ -f "$dir/reused" ]; then
		echo "unset PCSCLITE_CSOCK_NAME"
	else
		echo "export PCSCLITE_CSOCK_NAME=$dir/pcscd.comm"
	fi
	echo "export MDG_VPCD_PORT=$(cat "$dir/port")"
}

cmd=${1:-}
dir=${2:-}
[ -n "$cmd" ] && [ -n "$dir" ] || { sed -n '2,15p' "$0" >&2; exit 2; }
case $dir in /*) ;; *) dir=$PWD/$dir;; esac

case $cmd in
start)
	[ -n "$SIM" ] || { echo "pcscd-private: build mynacard-sim first (make)" >&2; exit 1; }
	if [ -f "$dir/pid" ] && kill -0 "$(cat "$dir/pid")" 2>/dev/null; then
		echo "pcscd-private: already running in $dir" >&2
		print_env "$dir"
		exit 0
	fi
	mkdir -p "$dir"
	port=${3:-$(pick_port)} || { echo "pcscd-private: no free port" >&2; exit 1; }
	echo "$port" >"$dir/port"
	# setsid: its own process group, so stop can end exactly it.
	setsid "$SIM" --pcscd "$dir" --port "$port" >"$dir/pcscd.log" 2>&1 </dev/null &
	echo $! >"$dir/pid"
	for _ in $(seq 1 50); do
		port_busy "$port" && [ -S "$dir/pcscd.comm" ] && break
		kill -0 "$(cat "$dir/pid")" 2>/dev/null || break
		sleep 0.1
	done
	if ! kill -0 "$(cat "$dir/pid")" 2>/dev/null || ! port_busy "$port"; then
		rm -f "$dir/pid"
		if [ -S /run/pcscd/pcscd.comm ]; then
			# No private pcscd possible here (no mount namespace) and a
			# system one runs: reuse it if it has a vpcd reader.
			sys=$(sed -n 's/^DEVICENAME.*:\(0x[0-9A-Fa-f]*\|[0-9]*\).*/\1/p' \
			    /etc/reader.conf.d/vpcd 2>/dev/null | head -n 1)
			if [ -n "$sys" ]; then
				echo "$((sys))" >"$dir/port"
				touch "$dir/reused"
				echo "# reusing the system pcscd: its vpcd reader is on port $((sys))"
				echo "unset PCSCLITE_CSOCK_NAME"
				echo "export MDG_VPCD_PORT=$((sys))"
				exit 0
			fi
			echo "pcscd-private: a system pcscd is running without a vpcd reader and no" >&2
			echo "private pcscd can be started here.  Either install vsmartcard-vpcd and" >&2
			echo "restart the system pcscd (administrator), or run this as root." >&2
			exit 1
		fi
		echo "pcscd-private: pcscd did not start:" >&2
		cat "$dir/pcscd.log" >&2
		exit 1
	fi
	print_env "$dir"
	;;
stop)
	# A reused system pcscd is not ours to stop.
	[ -f "$dir/reused" ] && { rm -f "$dir/reused"; exit 0; }
	[ -f "$dir/pid" ] || { echo "pcscd-private: nothing running in $dir" >&2; exit 0; }
	pid=$(cat "$dir/pid")
	kill -TERM -- "-$pid" 2>/dev/null || true
	for _ in $(seq 1 30); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
	kill -KILL -- "-$pid" 2>/dev/null || true
	rm -f "$dir/pid" "$dir/pcscd.comm"
	;;
env)
	print_env "$dir"
	;;
*)
	sed -n '2,15p' "$0" >&2
	exit 2
	;;
esac
