#!/usr/bin/env bash
# test_card_private_pcscd.sh — the path a newcomer and `make demo` take:
# scripts/pcscd-private.sh start, mynacard-sim on the port it printed,
# madoguchi card status/read, SIGHUP to swap cards, stop — and afterwards
# nothing of ours is left running (ID-1, ID-5).
. "$MDG_SRCDIR/tests/lib/lib.sh"

export MYNACARD_SIM=$(t_bin mynacard-sim)
MDG=$(t_bin madoguchi)
DIR=$T_TMP/pcscd
cd "$MDG_SRCDIR" || exit 1

# issue 16: a card read is an account's, with its audit row: a store and
# its administrator; mread SECRET OPTIONS... reads as them.
PW='Hk4#mados-2580'
printf '%s\n' "$PW" | "$MDG" init --store "$T_TMP/store" --admin sato-hanako --display '佐藤 花子' --request REQ-INIT --password-stdin \
	>/dev/null 2>&1 || { echo "store init failed"; exit 1; }
mread() {
	local secret=$1
	shift
	printf '%s\n%s\n' "$PW" "$secret" | "$MDG" card read --store "$T_TMP/store" \
		--user sato-hanako --password-stdin "$@"
}

t_begin "pcscd-private.sh start prints the environment"
if out=$(scripts/pcscd-private.sh start "$DIR" 2>"$T_TMP/start.err"); then
	eval "$out"
	case $PCSCLITE_CSOCK_NAME in
	"$DIR"/pcscd.comm) t_ok;;
	*) t_fail "unexpected environment: $out";;
	esac
else
	t_fail "start failed: $(cat "$T_TMP/start.err")"
	t_end
	exit 1
fi
PCSCD_PID=$(cat "$DIR/pid")
T_PIDS+=("$PCSCD_PID")

t_begin "a second start reuses the running one"
out2=$(scripts/pcscd-private.sh start "$DIR" 2>/dev/null)
if [ "$(cat "$DIR/pid")" = "$PCSCD_PID" ] && echo "$out2" | grep -q "MDG_VPCD_PORT=$MDG_VPCD_PORT"; then
	t_ok
else
	t_fail "second start: $out2"
fi

"$MYNACARD_SIM" --die-with-parent --port "$MDG_VPCD_PORT" \
	data/cards/demo-1.card data/cards/demo-2.card >"$T_TMP/sim.log" 2>&1 &
SIM=$!
T_PIDS+=("$SIM")

t_begin "madoguchi card status sees the simulated card"
ok=0
for _ in $(seq 1 100); do
	if "$MDG" card status >"$T_TMP/status.out" 2>&1 && grep -q "カード: あり" "$T_TMP/status.out"; then
		ok=1
		break
	fi
	sleep 0.1
done
[ $ok = 1 ] && t_ok || t_fail "$(cat "$T_TMP/status.out")"

t_begin "madoguchi card read --pin-stdin reads demo-1 (synthetic resident 1)"
name1=$(sed -n 's/^name = //p' data/cards/demo-1.card)
if mread 1234 --pin-stdin >"$T_TMP/read1.out" 2>&1 &&
    grep -q "氏名: $name1" "$T_TMP/read1.out" && grep -q "\*\*\*\* \*\*\*\* " "$T_TMP/read1.out"; then
	t_ok
else
	t_fail "$(cat "$T_TMP/read1.out")"
fi

t_begin "SIGHUP swaps to demo-2, read with 照合番号B"
name2=$(sed -n 's/^name = //p' data/cards/demo-2.card)
# 照合番号B as printed: the 和暦 birth date (LAYOUT.md; 1950-06-16 is S25.6.16).
birth2=$(sed -n 's/^birth = //p' data/cards/demo-2.card | awk '{
	y = substr($0, 1, 4) + 0; m = substr($0, 5, 2) + 0; d = substr($0, 7, 2) + 0
	if ($0 < 19890108) printf "S%d.%d.%d", y - 1925, m, d
	else if ($0 < 20190501) printf "H%d.%d.%d", y - 1988, m, d
	else printf "R%d.%d.%d", y - 2018, m, d }')
kill -HUP "$SIM"
ok=0
for _ in $(seq 1 100); do
	if mread "$birth2 2034 1234" --b-stdin >"$T_TMP/read2.out" 2>&1 &&
	    grep -q "氏名: $name2" "$T_TMP/read2.out"; then
		ok=1
		break
	fi
	sleep 0.1
done
[ $ok = 1 ] && t_ok || t_fail "$(cat "$T_TMP/read2.out")"

t_begin "stop ends pcscd and removes its socket"
kill "$SIM" 2>/dev/null
wait "$SIM" 2>/dev/null
scripts/pcscd-private.sh stop "$DIR"
sleep 0.2
if kill -0 "$PCSCD_PID" 2>/dev/null; then
	t_fail "pcscd $PCSCD_PID still running"
elif [ -e "$DIR/pcscd.comm" ] || [ -e "$DIR/pid" ]; then
	t_fail "leftovers in $DIR: $(ls "$DIR")"
else
	t_ok
fi

t_begin "demo-card.sh: the card is in at once, demo cards, next card, stop"
DC=$T_TMP/demo
if eval "$(scripts/demo-card.sh start "$DC" 2>"$T_TMP/dc.err")"; then
	T_PIDS+=("$(cat "$DC/pid")" "$(cat "$DC/sim.pid")")
	# README quick start: card status right after start sees the card
	# (start waits for it), no retry here.
	"$MDG" card status >"$T_TMP/dc0.out" 2>&1
	first=$(grep -c "カード: あり" "$T_TMP/dc0.out")
	ok=0
	for _ in $(seq 1 100); do
		mread 1234 --pin-stdin >"$T_TMP/dc1.out" 2>&1 &&
		    grep -q "氏名: $name1" "$T_TMP/dc1.out" && { ok=1; break; }
		sleep 0.1
	done
	scripts/demo-card.sh next "$DC"
	ok2=0
	for _ in $(seq 1 100); do
		mread 1234 --pin-stdin >"$T_TMP/dc2.out" 2>&1 &&
		    grep -q "氏名: $name2" "$T_TMP/dc2.out" && { ok2=1; break; }
		sleep 0.1
	done
	pid=$(cat "$DC/pid")
	scripts/demo-card.sh stop "$DC"
	sleep 0.2
	if [ "$first" -ge 1 ] && [ $ok = 1 ] && [ $ok2 = 1 ] && ! kill -0 "$pid" 2>/dev/null &&
	    [ ! -e "$DC/sim.pid" ]; then
		t_ok
	else
		t_fail "status at once $first, reads $ok $ok2: $(cat "$T_TMP/dc0.out" "$T_TMP/dc1.out" "$T_TMP/dc2.out")"
	fi
	eval "$out"	# back to the first (stopped) pcscd's socket
else
	t_fail "$(cat "$T_TMP/dc.err")"
fi

t_begin "madoguchi card status without pcscd says what to do"
if "$MDG" card status >"$T_TMP/none.out" 2>&1; then
	t_fail "succeeded without pcscd"
elif grep -q "pcscd-private.sh start" "$T_TMP/none.out"; then
	t_ok
else
	t_fail "$(cat "$T_TMP/none.out")"
fi

t_end
