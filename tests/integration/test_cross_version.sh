#!/usr/bin/env bash
# test_cross_version.sh — rolling upgrades (SPEC 7, NET-3; issue 12): this
# tree's madoguchi-central against the first release's terminal, and this
# tree's terminal against the first release's central: enrol, push an
# application, pull residents.  Both ways the connection speaks protocol
# version 1, and between two current programs the newest version.
#
# The first release is v0.1.0, commit 02f455996d6c935c0274acf7113d6a0a2588f7eb
# (named by its ID, which every clone's history holds, not only by the tag).
# Its madoguchi and madoguchi-central are built once (rel, from git archive)
# into $BUILD/compat/<commit>/ and reused by later runs.  Skipped with the
# reason when the source tree is not a git checkout holding that commit.
. "$MDG_SRCDIR/tests/lib/lib.sh"

REL=02f455996d6c935c0274acf7113d6a0a2588f7eb
PW='Kx9#mPq2vL'
NEW_C=$(t_bin madoguchi-central)
NEW_T=$(t_bin madoguchi)
NEW_TOOL=$MDG_BUILDDIR/tests/tools/store-tool
CACHE=$(dirname "$MDG_BUILDDIR")/compat/$REL
OLD_C=$CACHE/build/rel/bin/madoguchi-central
OLD_T=$CACHE/build/rel/bin/madoguchi
OLD_TOOL=$CACHE/build/store-tool

skip_all() {
	for n in "build the first release" "new central, first-release terminal" \
	    "first-release central, new terminal" \
	    "first-release store, converted by the new terminal" \
	    "new central, new terminal"; do
		t_begin "$n"; t_skip "$1"
	done
	t_end
	exit $?
}

command -v git >/dev/null 2>&1 || skip_all "git is not installed"
git -C "$MDG_SRCDIR" rev-parse --git-dir >/dev/null 2>&1 ||
	skip_all "$MDG_SRCDIR is not a git checkout"
git -C "$MDG_SRCDIR" cat-file -e "$REL^{commit}" 2>/dev/null ||
	skip_all "commit $REL (v0.1.0) is not in this clone's history (shallow clone?)"

# --- the first release, built once (a lock keeps two runs from racing) ----
t_begin "build the first release"
mkdir -p "$CACHE"
(
	flock 9
	if [ -x "$OLD_C" ] && [ -x "$OLD_T" ] && [ -x "$OLD_TOOL" ]; then exit 0; fi
	rm -rf "$CACHE/src" "$CACHE/build"
	mkdir -p "$CACHE/src" "$CACHE/build"
	git -C "$MDG_SRCDIR" archive "$REL" | tar -x -C "$CACHE/src" || exit 1
	PKGS="ncursesw sqlite3 libsodium libpcsclite"
	# Only the two programs (no tests, no simulator): pkg-config is asked
	# here because the release's Makefile asks it only for its own goals.
	make -C "$CACHE/src" -j2 --no-print-directory MODE=rel BUILD="$CACHE/build" \
		PKG_CFLAGS="$(pkg-config --cflags $PKGS)" PKG_LIBS="$(pkg-config --libs $PKGS)" \
		"$CACHE/build/rel/bin/madoguchi" "$CACHE/build/rel/bin/madoguchi-central" \
		>"$CACHE/build.log" 2>&1 || exit 1
	# The store tool (this tree's source) against the release's interfaces.
	gcc -std=c11 -D_GNU_SOURCE -O1 -I"$CACHE/src/include" $(pkg-config --cflags $PKGS) \
		-o "$OLD_TOOL.tmp" "$MDG_SRCDIR/tests/tools/store-tool.c" \
		"$CACHE"/build/rel/lib{ui,app,central,sim,sync,card,store,core}.a \
		$(pkg-config --libs $PKGS) -lpthread -lm >>"$CACHE/build.log" 2>&1 || exit 1
	mv "$OLD_TOOL.tmp" "$OLD_TOOL"
) 9>"$CACHE/.lock"
if [ $? -eq 0 ] && "$OLD_C" --version | grep -q '^madoguchi-central 0\.1\.0$'; then
	t_ok
else
	t_fail "$(tail -n 20 "$CACHE/build.log" 2>/dev/null)"
	t_end
	exit 1
fi

PERSONS='atena,name,kana,birth,sex,address,ward
000000001,山田 太郎,ヤマダ タロウ,1980-04-01,1,窓口市北区1-1,01
000000002,山田 花子,ヤマダ ハナコ,1985-05-01,2,窓口市北区1-1,01
000000003,鈴木 一郎,スズキ イチロウ,1990-01-01,1,窓口市南区2-2,02'
printf '%s\n' "$PERSONS" >"$T_TMP/persons.csv"
# issue 14: an individual name (AC-1), a request reference (AC-2; the
# first release knows no request column) and the fiscal year end (AC-3)
ADM=kanri-taro
printf 'name,display,role,perms\n%s,管理 太郎,admin,maru-fuku:write\n' "$ADM" \
	>"$T_TMP/accounts-v1.csv"
printf 'name,display,role,perms,request\n%s,管理 太郎,admin,maru-fuku:write,REQ-1\n' "$ADM" \
	>"$T_TMP/accounts.csv"

port_free() { # a port nothing listens on
	local p
	for _ in $(seq 50); do
		p=$((20000 + RANDOM % 20000))
		if ! (exec 3<>/dev/tcp/127.0.0.1/$p) 2>/dev/null; then echo "$p"; return; fi
	done
}

# round CENTRAL TERMINAL TOOL NAME: the whole exchange between a central
# program and a terminal program; leaves the transcript in $T_TMP/NAME.
# Prints what failed, nothing on success.  Run it in $(...): the central it
# starts is stopped when that subshell ends.
round() {
	local C=$1 T=$2 TOOL=$3 d=$T_TMP/$4 port key token uuid out pid i req
	mkdir -p "$d"
	port=$(port_free)
	"$C" --store "$d/central" init >"$d/init.out" 2>&1 || { echo "central init failed"; return; }
	key=$(sed -n 's/^central public key: //p' "$d/init.out")
	"$C" --store "$d/central" import persons "$T_TMP/persons.csv" >/dev/null 2>&1 ||
		{ echo "central import failed"; return; }
	# the account that enters the application: the central accepts an
	# application only from an active account with the right (issue 15)
	acsv=$T_TMP/accounts.csv
	[ "$C" != "$OLD_C" ] || acsv=$T_TMP/accounts-v1.csv
	"$C" --store "$d/central" import accounts "$acsv" >/dev/null 2>&1 ||
		{ echo "central accounts import failed"; return; }
	"$C" --store "$d/central" terminal enrol K01 --wards 01 >"$d/enrol.out" 2>"$d/enrol.err" ||
		{ echo "terminal enrol failed"; return; }
	token=$(sed -n 2p "$d/enrol.out")
	"$C" --store "$d/central" serve --listen "127.0.0.1:$port" >"$d/central.log" 2>&1 &
	pid=$!
	# stopped when the $(round ...) subshell ends, whatever failed
	trap "kill $pid 2>/dev/null; wait $pid 2>/dev/null" EXIT
	for i in $(seq 100); do
		(exec 3<>/dev/tcp/127.0.0.1/"$port") 2>/dev/null && break
		sleep 0.1
	done
	# today's init takes the request reference (issue 14); the first
	# release knows no --request
	req=""
	[ "$T" = "$OLD_T" ] || req="--request REQ-1"
	# shellcheck disable=SC2086
	echo "$PW" | "$T" init --store "$d/term" --admin "$ADM" $req --password-stdin >/dev/null 2>&1 ||
		{ echo "terminal init failed"; return; }
	printf '%s\n%s\n' "$PW" "$token" | "$T" --store "$d/term" enroll \
		--central "127.0.0.1:$port" --central-key "$key" --user "$ADM" \
		--password-stdin --token-stdin >"$d/enroll.out" 2>&1 ||
		{ echo "enroll failed: $(cat "$d/enroll.out")"; return; }
	# pull the residents of ward 01
	echo "$PW" | "$T" --store "$d/term" sync --user "$ADM" --password-stdin \
		>"$d/sync1.out" 2>&1 || { echo "first sync failed: $(cat "$d/sync1.out")"; return; }
	out=$(echo "$PW" | "$TOOL" "$d/term" "$ADM" person 000000002 2>&1)
	[ "$out" = "山田 花子" ] || { echo "resident not pulled: $out"; return; }
	out=$(echo "$PW" | "$TOOL" "$d/term" "$ADM" person 000000003 2>&1)
	[ "$out" != "鈴木 一郎" ] || { echo "resident of another ward pulled"; return; }
	# push an application
	uuid=$(echo "$PW" | "$TOOL" "$d/term" "$ADM" intake 000000001 maru-fuku 2>&1) ||
		{ echo "intake failed: $uuid"; return; }
	echo "$PW" | "$T" --store "$d/term" sync --user "$ADM" --password-stdin \
		>"$d/sync2.out" 2>&1 || { echo "second sync failed: $(cat "$d/sync2.out")"; return; }
	grep -q 'pushed 1 (duplicates 0, rejected 0' "$d/sync2.out" ||
		{ echo "application not pushed: $(cat "$d/sync2.out")"; return; }
	grep -q 'outbox left 0' "$d/sync2.out" || { echo "outbox not empty"; return; }
	if [ "$C" = "$NEW_C" ]; then
		# issue 16: a purpose, and plaintext only where the configuration allows it
		printf '[export]\nplaintext = yes\n' >"$d/central.conf"
		"$C" --config "$d/central.conf" --store "$d/central" export applications \
			--purpose TEST-CROSS-VERSION --plaintext --output - >"$d/export.out" 2>/dev/null
	else
		"$C" --store "$d/central" export applications >"$d/export.out" 2>/dev/null
	fi
	grep -q "$uuid" "$d/export.out" ||
		{ echo "application $uuid not at the central: $(cat "$d/export.out")"; return; }
}

t_begin "new central, first-release terminal"
why=$(round "$NEW_C" "$OLD_T" "$OLD_TOOL" new-central)
if [ -n "$why" ]; then
	t_fail "$why"
elif ! grep -q 'terminal K01 connected: madoguchi 0\.1\.0, protocol version 1$' \
    "$T_TMP/new-central/central.log"; then
	t_fail "central did not speak version 1: $(grep connected "$T_TMP/new-central/central.log")"
else
	t_ok
fi

t_begin "first-release central, new terminal"
why=$(round "$OLD_C" "$NEW_T" "$NEW_TOOL" old-central)
if [ -n "$why" ]; then
	t_fail "$why"
elif ! grep -q 'sync done with .*(terminal K01, protocol 1)' "$T_TMP/old-central/sync2.out"; then
	t_fail "terminal did not fall back to version 1: $(head -n 1 "$T_TMP/old-central/sync2.out")"
else
	t_ok
fi

# Issue 15: a store written by the first release (key-slot format 1, the
# 個人番号, a DV address and the sync keys plain inside the database) opens
# with today's terminal: each account is converted at its first login with
# its old password (store.keys.v1 keeps the others' old slots until they
# log in), the numbers and the address are sealed and still read by those
# entitled, the terminal syncs with its old enrolment, the audit chain holds.
upgrade() {
	local d=$T_TMP/upgrade port key token pid i out CPW='Wm4%tRz8qLx'
	mkdir -p "$d"
	port=$(port_free)
	printf '%s\n' 'atena,name,kana,birth,sex,address,ward,dv,mynumber' \
		'000000001,山田 太郎,ヤマダ タロウ,1980-04-01,1,窓口市北区1-1,01,0,123456789018' \
		'000000002,山田 花子,ヤマダ ハナコ,1985-05-01,2,窓口市北区秘密町9-9,01,1,' \
		>"$d/persons.csv"
	"$NEW_C" --store "$d/central" init >"$d/init.out" 2>&1 || { echo "central init failed"; return; }
	key=$(sed -n 's/^central public key: //p' "$d/init.out")
	"$NEW_C" --store "$d/central" import persons "$d/persons.csv" >"$d/import.out" 2>&1 ||
		{ echo "central import failed: $(cat "$d/import.out")"; return; }
	"$NEW_C" --store "$d/central" import accounts "$T_TMP/accounts.csv" >/dev/null 2>&1 ||
		{ echo "central accounts import failed"; return; }
	"$NEW_C" --store "$d/central" terminal enrol K01 --wards 01 >"$d/enrol.out" 2>"$d/enrol.err" ||
		{ echo "terminal enrol failed"; return; }
	token=$(sed -n 2p "$d/enrol.out")
	"$NEW_C" --store "$d/central" serve --listen "127.0.0.1:$port" >"$d/central.log" 2>&1 &
	pid=$!
	trap "kill $pid 2>/dev/null; wait $pid 2>/dev/null" EXIT
	for i in $(seq 100); do
		(exec 3<>/dev/tcp/127.0.0.1/"$port") 2>/dev/null && break
		sleep 0.1
	done
	# --- the first release writes the store ---
	echo "$PW" | "$OLD_T" init --store "$d/term" --admin "$ADM" --password-stdin >/dev/null 2>&1 ||
		{ echo "old init failed"; return; }
	printf '%s\n%s\n' "$PW" "$token" | "$OLD_T" --store "$d/term" enroll \
		--central "127.0.0.1:$port" --central-key "$key" --user "$ADM" \
		--password-stdin --token-stdin >"$d/enroll.out" 2>&1 ||
		{ echo "old enroll failed: $(cat "$d/enroll.out")"; return; }
	echo "$PW" | "$OLD_T" --store "$d/term" sync --user "$ADM" --password-stdin \
		>"$d/sync0.out" 2>&1 || { echo "old sync failed: $(cat "$d/sync0.out")"; return; }
	printf '%s\n%s\n' "$PW" "$CPW" | "$OLD_T" --store "$d/term" user add clerk2 \
		--user "$ADM" --password-stdin --role clerk --view-mynumber --no-must-change \
		>"$d/useradd.out" 2>&1 || { echo "old user add failed: $(cat "$d/useradd.out")"; return; }
	head -c 8 "$d/term/store.keys" | grep -q MDGKEYS1 || { echo "not a format-1 store"; return; }
	# --- today's terminal: admin's first login converts the store ---
	echo "$PW" | "$NEW_T" --store "$d/term" sync --user "$ADM" --password-stdin \
		>"$d/sync1.out" 2>&1 || { echo "sync after upgrade failed: $(cat "$d/sync1.out")"; return; }
	head -c 8 "$d/term/store.keys" | grep -q MDGKEYS2 || { echo "store.keys not converted"; return; }
	[ -f "$d/term/store.keys.v1" ] || { echo "clerk2's old slot was not kept"; return; }
	out=$(echo "$PW" | "$NEW_TOOL" "$d/term" "$ADM" mynumber 000000001 2>"$d/tool.err")
	[ "$out" = 123456789018 ] || { echo "admin: number not read after conversion: $out $(cat "$d/tool.err")"; return; }
	out=$(echo "$PW" | "$NEW_TOOL" "$d/term" "$ADM" address 000000002 2>"$d/tool.err")
	[ "$out" = 窓口市北区秘密町9-9 ] || { echo "admin: DV address lost: $out"; return; }
	# --- clerk2 (view-mynumber) converts at its own first login ---
	out=$(echo "$CPW" | "$NEW_TOOL" "$d/term" clerk2 mynumber 000000001 2>"$d/tool.err")
	[ "$out" = 123456789018 ] || { echo "clerk2: number not read: $out $(cat "$d/tool.err")"; return; }
	out=$(echo "$CPW" | "$NEW_TOOL" "$d/term" clerk2 address 000000002 2>"$d/tool.err")
	[ "$out" != 窓口市北区秘密町9-9 ] || { echo "clerk2 reads the DV address"; return; }
	[ ! -e "$d/term/store.keys.v1" ] || { echo "store.keys.v1 left after the last conversion"; return; }
	echo "$PW" | "$NEW_T" --store "$d/term" audit verify --user "$ADM" --password-stdin \
		>"$d/verify.out" 2>&1 || { echo "audit verify: $(cat "$d/verify.out")"; return; }
	uuid=$(echo "$PW" | "$NEW_TOOL" "$d/term" "$ADM" intake 000000001 maru-fuku 2>"$d/tool.err") ||
		{ echo "intake failed: $uuid"; return; }
	echo "$PW" | "$NEW_T" --store "$d/term" sync --user "$ADM" --password-stdin \
		>"$d/sync2.out" 2>&1 || { echo "second sync failed: $(cat "$d/sync2.out")"; return; }
	grep -q 'pushed 1 (duplicates 0, rejected 0' "$d/sync2.out" ||
		{ echo "application not pushed: $(cat "$d/sync2.out")"; return; }
}

t_begin "first-release store, converted by the new terminal"
why=$(upgrade)
if [ -n "$why" ]; then t_fail "$why"; else t_ok; fi

# The same between two programs of this tree: the newest version.
t_begin "new central, new terminal"
why=$(round "$NEW_C" "$NEW_T" "$NEW_TOOL" both-new)
if [ -n "$why" ]; then
	t_fail "$why"
elif ! grep -q "sync done with .*(terminal K01, protocol [2-9])" "$T_TMP/both-new/sync2.out"; then
	t_fail "not the newest version: $(head -n 1 "$T_TMP/both-new/sync2.out")"
else
	t_ok
fi

t_end
