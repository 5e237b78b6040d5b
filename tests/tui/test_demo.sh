#!/usr/bin/env bash
# test_demo.sh — `make demo` (scripts/demo.sh) in a real terminal (tmux):
# the demo store and accounts are made, the login screen shows the demo
# accounts, a demo clerk logs in, quitting stops everything the script
# started, and a second run reuses the demo directory.
# Uses the -O2 programs (make check builds them first); private tmux server.
. "$MDG_SRCDIR/tests/lib/lib.sh"

REL=${MDG_BUILDDIR%/san}/rel
BUILD_DIR=${MDG_BUILDDIR%/san}	# absolute: demo.sh takes either
export TMUX_TMPDIR=$T_TMP
unset TMUX
TM="tmux -f /dev/null -L mdg-demo-$$"
DEMO=$T_TMP/demo
port=$(( 20000 + ($$ % 20000) ))

demo_start() {
	$TM kill-server 2>/dev/null && sleep 1
	$TM new-session -d -x 80 -y 24 "cd '$MDG_SRCDIR' && ${1:-} BUILD='$BUILD_DIR' DEMO_DIR='$DEMO' \
DEMO_COUNT=200 DEMO_CENTRAL_PORT=$port LC_ALL=C.UTF-8 scripts/demo.sh; rc=\$?; stty sane; \
printf '\\r\\n[demo exited %d]\\r\\n' \$rc; sleep 600"
}
shows() { $TM capture-pane -p 2>/dev/null | grep -qF -- "$1"; }
wait_for() {
	local i=0
	while [ $i -lt $(( ${2:-60} * 10 )) ]; do
		shows "$1" && return 0
		sleep 0.1
		i=$((i + 1))
	done
	echo "    \"$1\" not shown; the screen was:"
	$TM capture-pane -p | sed 's/^/    | /'
	return 1
}
quit_demo() {
	$TM send-keys F10
	wait_for "パスワード変更" 20 || return 1
	$TM send-keys End Enter
	wait_for "終了しますか" 20 || return 1
	$TM send-keys y
	wait_for "[demo exited 0]" 60
}
# Nothing the demo started is still running.
left_over() {
	pgrep -af -- "$DEMO" 2>/dev/null | awk '{ n = $2; sub(".*/", "", n) }
	    n ~ /^(madoguchi|madoguchi-central|mynacard-sim|pcscd)$/ { print }'
}
nothing_left() { [ -z "$(left_over)" ]; }
# Killing the tmux server hangs up demo.sh, whose trap stops what it started.
cleanup_demo() { $TM kill-server 2>/dev/null; sleep 1; t_cleanup; }
trap cleanup_demo EXIT

if [ ! -x "$REL/bin/madoguchi" ]; then
	t_begin "demo"; t_skip "no -O2 build in $REL (make check builds it)"; t_end; exit 0
fi

t_begin "first run: demo store, accounts on the login screen, demo clerk logs in"
demo_start
if wait_for "アカウントとパスワードを入力してください" 120 &&
	shows "mado-hanako / Hanako#Mado-2580"; then
	$TM send-keys mado-hanako Down
	$TM send-keys -l 'Hanako#Mado-2580'
	$TM send-keys Enter
	if wait_for "窓口 花子 さん" 30 && [ -f "$DEMO/.store-ready" ]; then t_ok; else t_fail "no login"; fi
else
	t_fail "no login screen with the demo accounts"
fi

# issue 19: the set-up's log lines stay in the demo's files, never on the
# terminal (the whole pane, scrollback included)
t_begin "no log lines on the terminal"
if $TM capture-pane -p -S - | grep -Eq '(madoguchi|madoguchi-central|mynacard-sim)\[[0-9]+\] (info|warn|error)'; then
	t_fail "log lines on the terminal: $($TM capture-pane -p -S - | grep -E '\[[0-9]+\] (info|warn|error)' | head -2)"
else
	t_ok
fi

t_begin "quitting stops everything the demo started"
if quit_demo && sleep 1 && nothing_left; then t_ok; else
	t_fail "still running: $(left_over | head -3)"
fi

t_begin "second run reuses ./demo"
stamp=$(stat -c %Y "$DEMO/store/store.keys" 2>/dev/null)
demo_start
if wait_for "アカウントとパスワードを入力してください" 60 &&
	[ "$(stat -c %Y "$DEMO/store/store.keys" 2>/dev/null)" = "$stamp" ]; then
	$TM send-keys mado-hanako Down
	$TM send-keys -l 'Hanako#Mado-2580'
	$TM send-keys Enter
	if wait_for "窓口 花子 さん" 30 && quit_demo && sleep 1 && nothing_left; then t_ok; else
		t_fail "second run did not log in and quit cleanly"
	fi
else
	t_fail "second run did not come up on the same store"
fi

# issue 19: DEMO_FAULTS=1 puts the fault cards before the residents' (the
# simulator takes them all: 15 faults, 5 residents, 2 others)
t_begin "DEMO_FAULTS=1 loads the fault cards"
demo_start DEMO_FAULTS=1
if wait_for "アカウントとパスワードを入力してください" 60 &&
	wait_for "カード:あり" 30 && kill -0 "$(cat "$DEMO/card/sim.pid")" 2>/dev/null &&
	! grep -q "usage:" "$DEMO/card/sim.log"; then
	$TM send-keys F10
	if wait_for "終了しますか" 20 && $TM send-keys y && wait_for "[demo exited 0]" 60 &&
		sleep 1 && nothing_left; then t_ok; else t_fail "did not quit cleanly"; fi
else
	t_fail "the simulator did not take the fault cards: $(head -2 "$DEMO/card/sim.log" 2>/dev/null)"
fi
$TM kill-server 2>/dev/null
t_end
