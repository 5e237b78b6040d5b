#!/usr/bin/env bash
# demo.sh — `make demo`: the counter workstation on demo data, in this
# terminal.  The Makefile builds MODE=rel first and runs
# `BUILD=$BUILD scripts/demo.sh`.
#
# It keeps everything in ./demo (DEMO_DIR to change it):
#   demo/store           the encrypted terminal store with the demo accounts
#                        and the synthetic residents of 窓口市 (seed 1)
#   demo/madoguchi.conf  the terminal's configuration
#   demo/card            a private pcscd with mynacard-sim holding the demo
#                        residents' cards (scripts/demo-card.sh), when pcscd
#                        and the vpcd driver are installed
#   demo/central         a local madoguchi-central on 127.0.0.1 with the same
#                        residents (scripts/demo-central.sh); the terminal is
#                        enrolled with it and synchronises in the background
# then starts madoguchi in the foreground.  Quitting it (F10 → 終了) stops
# everything this script started.  Running it again reuses ./demo; remove
# the directory (or DEMO_FRESH=1) to start from scratch.
#
# Demo accounts (the login screen shows them too):
#   mado-hanako / Hanako#Mado-2580   窓口 花子, counter clerk
#   mado-jiro   / Jiro#Mado-4713     窓口 次郎, counter clerk
#   rev1   / Shinsa#Mado-6392   審査 一郎, reviewer (確認者)
#   rev2   / Shinsa#Mado-7418   審査 二郎, second reviewer (confirms rev1's corrections)
#   kanri-misaki / Kanri#Mado-7351  管理 美咲, administrator
# (individual names, each made against a request reference and ending with
# the fiscal year: issue 14, AC-1 to AC-3)
# Demo cards: PIN 1234; 照合番号B = the 和暦 birth date as printed, 2034, 1234
# (遠藤 和子: S20.8.28 2034 1234).  They are signed by mynacard-sim's TEST ONLY
# issuer CA, whose anchor this script installs (demo/trust-anchors), so the
# identity screen shows 検証済み.
# DEMO_FAULTS=1 puts the fault cards (data/cards/fault-*.card: blocked, last
# try, bad digest, forged, clone, removed, ...) on the reader first.
# While the demo runs, `scripts/demo-card.sh next demo/card` (in another
# terminal) puts the next resident's card on the reader.
set -eu
cd "$(dirname "$0")/.."
ROOT=$PWD
BUILD=${BUILD:-build}
export BUILD
case $BUILD in /*) BIN=$BUILD/rel/bin;; *) BIN=$ROOT/$BUILD/rel/bin;; esac
M=$BIN/madoguchi
DEMO=${DEMO_DIR:-$ROOT/demo}
case $DEMO in /*) ;; *) DEMO=$ROOT/$DEMO;; esac
STORE=$DEMO/store
CONF=$DEMO/madoguchi.conf
COUNT=${DEMO_COUNT:-1000}
export DEMO_COUNT=$COUNT

ADMIN_PW='Kanri#Mado-7351'
# name|password|display|role
ACCOUNTS='mado-hanako|Hanako#Mado-2580|窓口 花子|clerk
mado-jiro|Jiro#Mado-4713|窓口 次郎|clerk
rev1|Shinsa#Mado-6392|審査 一郎|reviewer
rev2|Shinsa#Mado-7418|審査 二郎|reviewer'
ADMIN=kanri-misaki
PROCEDURES="kokuho maru-fuku yobo jiritsu-seishin iryohi-josei"

say() { printf 'demo: %s\n' "$*"; }
die() { printf 'demo: %s\n' "$*" >&2; exit 1; }

[ -x "$M" ] || die "build first: make BUILD=$BUILD (no $M)"
[ -t 0 ] && [ -t 1 ] || die "run it in a terminal (the counter screens are full-screen)"

# The screens need a UTF-8 locale; the terminal itself must show UTF-8.
if [ "$(locale charmap 2>/dev/null)" != "UTF-8" ]; then
	export LC_ALL=C.UTF-8
	say "using LC_ALL=C.UTF-8 (the current locale is not UTF-8)"
fi

# ------------------------------------------------------------ stop at exit
STARTED_CARD=0
STARTED_CENTRAL=0
cleanup() {
	set +e
	if [ "$STARTED_CARD" = 1 ]; then
		scripts/demo-card.sh stop "$DEMO/card" >/dev/null 2>&1
	fi
	if [ "$STARTED_CENTRAL" = 1 ]; then
		scripts/demo-central.sh stop "$DEMO/central" >/dev/null 2>&1
	fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

# ------------------------------------------------------------ the store
if [ "${DEMO_FRESH:-0}" = 1 ]; then
	rm -rf "$DEMO"
fi
mkdir -p "$DEMO"
chmod 700 "$DEMO"
fresh=0
if [ ! -f "$DEMO/.store-ready" ]; then
	# a store left half-made by an interrupted first run is made again
	rm -rf "$STORE" "$DEMO/central"
	fresh=1
	say "creating the demo store in $STORE"
	printf '%s\n' "$ADMIN_PW" | "$M" init --store "$STORE" --admin "$ADMIN" \
		--display "管理 美咲" --request DEMO-INIT --terminal DEMO01 \
		--password-stdin >/dev/null 2>>"$DEMO/setup.log"
	perms=""
	for p in $PROCEDURES; do perms="$perms --perm $p=write"; done
	while IFS='|' read -r name pw display role; do
		# shellcheck disable=SC2086
		printf '%s\n%s\n' "$ADMIN_PW" "$pw" | "$M" --store "$STORE" user add "$name" \
			--request "DEMO-$name" --user "$ADMIN" --password-stdin --role "$role" --display "$display" \
			$perms --view-mynumber --no-must-change >/dev/null 2>>"$DEMO/setup.log"
	done <<EOF
$ACCOUNTS
EOF
fi

# ------------------------------------------------------------ the central
central_addr=""
if [ -x scripts/demo-central.sh ] && [ -x "$BIN/madoguchi-central" ]; then
	if scripts/demo-central.sh start "$DEMO/central" "${DEMO_CENTRAL_PORT:-7700}" \
		>"$DEMO/central-start.log" 2>&1; then
		STARTED_CENTRAL=1
		central_addr=$(cat "$DEMO/central/central.addr" 2>/dev/null || true)
		say "local central on $central_addr"
	else
		say "the local central did not start (see $DEMO/central-start.log); working offline"
	fi
else
	say "HOOK: no scripts/demo-central.sh or madoguchi-central: working offline"
fi

if [ "$fresh" = 1 ]; then
	loaded=0
	if [ "$STARTED_CENTRAL" = 1 ]; then
		# the residents come from the central, as at a real branch
		if printf '%s\n' "$ADMIN_PW" | scripts/demo-central.sh enroll "$DEMO/central" \
			"$STORE" "$ADMIN" >"$DEMO/enroll.log" 2>&1; then
			loaded=1
			say "terminal enrolled with the central and synchronised"
		else
			say "enrolment failed (see $DEMO/enroll.log); loading the residents locally"
		fi
	fi
	if [ "$loaded" = 0 ]; then
		printf '%s\n' "$ADMIN_PW" | "$M" --store "$STORE" demo-data --user "$ADMIN" \
			--password-stdin --count "$COUNT" --seed 1 >/dev/null 2>>"$DEMO/setup.log"
	fi
	touch "$DEMO/.store-ready"
fi

# ------------------------------------------------------------ the card
if [ -x scripts/demo-card.sh ] && command -v pcscd >/dev/null 2>&1 &&
	[ -x "$BIN/mynacard-sim" ]; then
	if env=$(scripts/demo-card.sh start "$DEMO/card" 2>"$DEMO/card-start.log"); then
		eval "$env"
		STARTED_CARD=1
		say "simulated card reader ready (first card: 遠藤 和子, PIN 1234)"
	else
		say "the simulated card reader did not start (see $DEMO/card-start.log)"
	fi
else
	say "HOOK: no pcscd, scripts/demo-card.sh or mynacard-sim: no card reader"
fi

# ------------------------------------------------- the card issuer's key
# The simulator's TEST ONLY issuer CA (mynacard-sim(1)); a production
# terminal holds J-LIS's keys instead (madoguchi.conf(5) [card] trust_anchors).
ANCHORS=$DEMO/trust-anchors
anchor_line=
if [ -x "$BIN/mynacard-sim" ] &&
	"$BIN/mynacard-sim" --trust-anchor --keys "$ROOT/data/cards/keys" >"$ANCHORS.new" 2>/dev/null; then
	mv "$ANCHORS.new" "$ANCHORS"
	anchor_line="trust_anchors = $ANCHORS"
else
	rm -f "$ANCHORS.new"
	say "no test issuer key: the demo cards will show 検証できません"
fi

# ------------------------------------------------------------ the config
note="デモ: mado-hanako / Hanako#Mado-2580（窓口）  mado-jiro / Jiro#Mado-4713"
note="$note  rev1 / Shinsa#Mado-6392  rev2 / Shinsa#Mado-7418（確認者）  $ADMIN / Kanri#Mado-7351"
note="$note  カードPIN 1234（照合番号B: 和暦の生年月日 2034 1234）"
cat >"$CONF" <<EOF
# Written by scripts/demo.sh on every start.
[terminal]
municipality = 窓口市
branch = 本庁 市民課
id = DEMO01
# the demo accounts have no authenticator app: no second factor (a
# terminal in service sets required; madoguchi.conf(5), issue 14)
second_factor = off

[store]
dir = $STORE

[card]
# TEST ONLY root of the simulator's JPKI certificates (data/cards/jpki)
jpki_roots = $ROOT/data/cards/jpki/ca-auth.pem
$anchor_line

[ui]
screens = $ROOT/screens
log = $DEMO/madoguchi.log
login_note = $note
# no printer in the demo: the 受付票 and 進達書 are shown on the screen
# instead of a false "印刷できませんでした（プリンターを確認してください）" from lp
print_command =
EOF

say "starting the counter screens (quit with F10 → 終了)"
set +e
"$M" --config "$CONF"
rc=$?
set -e
say "stopped (accounts and cards: see the top of scripts/demo.sh)"
exit $rc
