#!/usr/bin/env bash
# package-check.sh — `make package-check` (issue 12): the Debian packages
# as a municipality's IT staff would use them.  It installs into the machine
# it runs on, so it is not part of `make check`; .ci/run calls it after.
#
#   1. builds the packages (dpkg-buildpackage -us -uc -b) in a fresh clone
#      of the current commit, in a temporary directory
#   2. lintian on them: any error fails
#   3. apt-get install -y ./madoguchi*.deb ./mynacard-sim*.deb
#   4. checks what the packages put in place (conffile, screens, the
#      madoguchi group's store directory, the central's user and store)
#   5. starts the central through systemd when systemd is PID 1; otherwise
#      says so and starts the installed binary by hand as the unit would
#      (its ExecStart, User and UMask, /etc/default/madoguchi-central)
#   6. an end-to-end sync with the INSTALLED programs, configuration and
#      screens: init a store, enrol the terminal at the central, sync
#   7. apt-get purge -y, and removes what the packages leave by design (the
#      stores, the system user and group) when they were not there before:
#      the machine is left as it was
# Ends with "N passed, N failed".  Needs root (apt-get).
set -u
cd "$(dirname "$0")/.." || exit 2
SRC=$PWD
PKGS="madoguchi madoguchi-central mynacard-sim"
UNIT=/lib/systemd/system/madoguchi-central.service
CSTORE=/var/lib/madoguchi-central
WSTORE=/var/lib/madoguchi
PW='Pkg#Check-4826'
export DEBIAN_FRONTEND=noninteractive LC_ALL=C.UTF-8

P=0 F=0 S=0
ok() { P=$((P + 1)); echo "ok   $*"; }
bad() { F=$((F + 1)); echo "FAIL $*"; }
skip() { S=$((S + 1)); echo "skip $*"; }
check() { # check DESCRIPTION COMMAND...
	local d=$1; shift
	if "$@"; then ok "$d"; else bad "$d"; fi
}
finish() {
	if [ "$S" -gt 0 ]; then
		echo "$P passed, $F failed, $S skipped"
	else
		echo "$P passed, $F failed"
	fi
	[ "$F" -eq 0 ]
	exit
}

if [ "$(id -u)" -ne 0 ]; then
	bad "make package-check installs packages: run it as root"
	finish
fi
for p in $PKGS; do
	if dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q 'ok installed'; then
		bad "$p is already installed here: package-check would purge it; remove it first"
		finish
	fi
done
if ! scripts/deps.sh dpkg-dev debhelper lintian >/dev/null; then
	bad "installing the build dependencies (scripts/deps.sh dpkg-dev debhelper lintian)"
	finish
fi

T=$(mktemp -d "${TMPDIR:-/tmp}/mdg-pkgcheck-XXXXXX")
chmod 755 "$T"
CENTRAL_PID=""
TMUX_SOCK=mdg-pkgcheck-$$

# What was here before, so that the end puts back exactly that.
installed_pkgs() { dpkg-query -W -f='${Status} ${Package}\n' | awk '$3 == "installed" {print $4}' | sort; }
installed_pkgs >"$T/pkgs.before"
had_user=0; getent passwd madoguchi-central >/dev/null && had_user=1
had_cgroup=0; getent group madoguchi-central >/dev/null && had_cgroup=1
had_group=0; getent group madoguchi >/dev/null && had_group=1
had_cstore=0; [ -e "$CSTORE" ] && had_cstore=1
had_wstore=0; [ -e "$WSTORE" ] && had_wstore=1
# the workstation runs as an ordinary account in the group madoguchi
CLERK=mdg-pkgcheck
had_clerk=0; getent passwd "$CLERK" >/dev/null && had_clerk=1

cleanup() {
	set +e
	tmux -L "$TMUX_SOCK" kill-server 2>/dev/null
	if [ -n "$CENTRAL_PID" ]; then
		kill "$CENTRAL_PID" 2>/dev/null
		wait "$CENTRAL_PID" 2>/dev/null
	fi
	apt-get purge -y -q $PKGS >"$T/purge.log" 2>&1
	installed_pkgs >"$T/pkgs.after"
	# dependencies the install pulled in (none when make deps ran first)
	new=$(comm -13 "$T/pkgs.before" "$T/pkgs.after" | tr '\n' ' ')
	[ -n "$new" ] && apt-get purge -y -q $new >>"$T/purge.log" 2>&1
	[ "$had_cstore" = 0 ] && rm -rf "$CSTORE"
	[ "$had_wstore" = 0 ] && rm -rf "$WSTORE"
	[ "$had_clerk" = 0 ] && getent passwd "$CLERK" >/dev/null &&
		deluser --quiet --system "$CLERK" >/dev/null 2>&1
	[ "$had_user" = 0 ] && getent passwd madoguchi-central >/dev/null &&
		deluser --quiet --system madoguchi-central >/dev/null 2>&1
	[ "$had_cgroup" = 0 ] && getent group madoguchi-central >/dev/null &&
		delgroup --quiet --system madoguchi-central >/dev/null 2>&1
	[ "$had_group" = 0 ] && getent group madoguchi >/dev/null &&
		delgroup --quiet --system madoguchi >/dev/null 2>&1
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

# ------------------------------------------------------------ 1. build
REV=$(git rev-parse HEAD)
echo "package-check: building the packages of $REV in a fresh clone ($T/src)"
[ -n "$(git status --porcelain --untracked-files=no)" ] &&
	echo "package-check: note: uncommitted changes are not in the clone"
if git clone -q --no-hardlinks "$SRC" "$T/src" && git -C "$T/src" checkout -q --detach "$REV" &&
	(cd "$T/src" && DEB_BUILD_OPTIONS="parallel=2" dpkg-buildpackage -us -uc -b) >"$T/build.log" 2>&1; then
	ok "dpkg-buildpackage -us -uc -b in a fresh clone"
else
	tail -n 40 "$T/build.log" | sed 's/^/  | /'
	bad "dpkg-buildpackage -us -uc -b in a fresh clone"
	finish
fi
debs=()
for p in $PKGS; do
	f=$(ls "$T"/"${p}"_*.deb 2>/dev/null | head -n 1)
	if [ -n "$f" ]; then debs+=("$f"); else bad "no ${p}_*.deb was built"; fi
done
[ ${#debs[@]} -eq 3 ] || finish

# ------------------------------------------------------------ 2. lintian
if lintian --fail-on error "$T"/madoguchi_*.changes >"$T/lintian.log" 2>&1; then
	ok "lintian: no errors ($(grep -c '^W:' "$T/lintian.log") warnings)"
else
	grep -E '^[EW]:' "$T/lintian.log" | sed 's/^/  | /'
	bad "lintian reports errors"
fi
grep '^W:' "$T/lintian.log" | sed 's/^/  | /'

# ------------------------------------------------------------ 3. install
if apt-get install -y -q "${debs[@]}" >"$T/install.log" 2>&1; then
	ok "apt-get install -y ./madoguchi*.deb ./mynacard-sim*.deb"
else
	tail -n 30 "$T/install.log" | sed 's/^/  | /'
	bad "apt-get install of the built packages"
	finish
fi

# ------------------------------------------------------------ 4. what is in place
check "madoguchi, madoguchi-central, mynacard-sim on PATH in /usr/bin" \
	test -x /usr/bin/madoguchi -a -x /usr/bin/madoguchi-central -a -x /usr/bin/mynacard-sim
hardened() { # PIE, BIND_NOW, RELRO and fortified calls: dpkg-buildflags reached the build
	local b
	for b in /usr/bin/madoguchi /usr/bin/madoguchi-central /usr/bin/mynacard-sim; do
		readelf -d "$b" | grep -q 'FLAGS_1.*NOW.*PIE' || return 1
		readelf -lW "$b" | grep -q GNU_RELRO || return 1
		nm -D "$b" | grep -q '__[a-z_]*_chk@' || return 1
	done
}
check "the programs are built with Debian's hardening flags (PIE, bindnow, relro, fortify)" hardened
check "/etc/madoguchi/madoguchi.conf is a conffile of madoguchi" \
	sh -c "dpkg-query -W -f='\${Conffiles}' madoguchi | grep -q ' /etc/madoguchi/madoguchi.conf '"
n=$(ls /usr/share/madoguchi/screens/*.screen 2>/dev/null | wc -l)
check "the screens are in /usr/share/madoguchi/screens ($n)" test "$n" -gt 0
check "the binary's default [ui] screens is /usr/share/madoguchi/screens" \
	grep -q -a /usr/share/madoguchi/screens /usr/bin/madoguchi
check "man pages: madoguchi(1), madoguchi.conf(5), madoguchi-central(8), mynacard-sim(1)" \
	test -f /usr/share/man/man1/madoguchi.1.gz -a -f /usr/share/man/man5/madoguchi.conf.5.gz \
	-a -f /usr/share/man/man8/madoguchi-central.8.gz -a -f /usr/share/man/man1/mynacard-sim.1.gz
check "mynacard-sim's card profiles in /usr/share/mynacard-sim/cards" \
	test -f /usr/share/mynacard-sim/cards/demo-1.card
check "group madoguchi owns $WSTORE (root:madoguchi 2770)" \
	test "$(stat -c '%U:%G %a' "$WSTORE" 2>/dev/null)" = "root:madoguchi 2770"
check "system user madoguchi-central, no login shell" \
	sh -c 'getent passwd madoguchi-central | grep -q ":/usr/sbin/nologin$"'
check "the central's store was made by postinst, owner-only" \
	test "$(stat -c '%U %a' "$CSTORE/central.key" 2>/dev/null)" = "madoguchi-central 600"
check "$UNIT installed and enabled" \
	test -f "$UNIT" -a -L /etc/systemd/system/multi-user.target.wants/madoguchi-central.service
score=$(systemd-analyze security --offline=yes "$UNIT" 2>/dev/null | sed -n 's/.*Overall exposure level for [^:]*: \([0-9.]*\).*/\1/p')
check "systemd-analyze security: exposure ${score:-?} (at most 2.0)" \
	awk -v s="${score:-99}" 'BEGIN { exit !(s <= 2.0) }'

# ------------------------------------------------------------ 5. the central
free_port() {
	local p
	for _ in $(seq 50); do
		p=$((20000 + RANDOM % 20000))
		ss -Hltn "sport = :$p" 2>/dev/null | grep -q . || { echo "$p"; return; }
	done
	echo 27700
}
PORT=$(free_port)
ADDR=127.0.0.1:$PORT
as_central() { runuser -u madoguchi-central -- /usr/bin/madoguchi-central --store "$CSTORE" "$@"; }

if as_central demo-data --count 200 --seed 1 >"$T/demo.log" 2>&1; then
	ok "madoguchi-central demo-data as the service's user"
else
	sed 's/^/  | /' "$T/demo.log"
	bad "madoguchi-central demo-data as the service's user"
fi
sed -i "s|^MDG_CENTRAL_LISTEN=.*|MDG_CENTRAL_LISTEN=$ADDR|" /etc/default/madoguchi-central

serving() { # serving LOGCOMMAND...
	for _ in $(seq 100); do
		"$@" 2>/dev/null | grep -q "serving on" && return 0
		sleep 0.2
	done
	return 1
}
if [ "$(ps -p 1 -o comm= 2>/dev/null)" = systemd ] && [ -d /run/systemd/system ]; then
	since=$(date '+%Y-%m-%d %H:%M:%S')
	systemctl restart madoguchi-central
	if serving journalctl -u madoguchi-central --no-pager --since "$since" &&
		systemctl is-active -q madoguchi-central; then
		ok "madoguchi-central.service runs under systemd on $ADDR"
	else
		systemctl status --no-pager madoguchi-central | sed 's/^/  | /'
		bad "madoguchi-central.service under systemd"
	fi
else
	skip "systemd is not PID 1 here: the central is started by hand as the unit would"
	# ExecStart with the unit's environment, as its User with its UMask
	exec_start=$(sed -n 's/^ExecStart=//p' "$UNIT")
	user=$(sed -n 's/^User=//p' "$UNIT")
	umask_=$(sed -n 's/^UMask=//p' "$UNIT")
	(
		set -a
		# shellcheck disable=SC1091
		. /etc/default/madoguchi-central
		set +a
		eval "set -- $exec_start"
		umask "${umask_:-0077}"
		exec setpriv --reuid "$user" --regid "$user" --init-groups --pdeathsig TERM -- "$@"
	) >"$T/central.log" 2>&1 &
	CENTRAL_PID=$!
	if serving cat "$T/central.log"; then
		ok "madoguchi-central serve (the unit's ExecStart as $user) on $ADDR"
	else
		sed 's/^/  | /' "$T/central.log"
		bad "madoguchi-central serve by hand as the unit would"
	fi
fi

# ------------------------------------------------------------ 6. end to end
# The workstation with its installed configuration (/etc/madoguchi/madoguchi.conf:
# the store in /var/lib/madoguchi, the installed screens).
# It runs as an account that is only a member of the group madoguchi (not
# root), so the group's directory is what lets it make the store.
if [ "$had_clerk" = 0 ]; then
	adduser --system --quiet --no-create-home --home /nonexistent --ingroup nogroup "$CLERK" &&
		adduser --quiet "$CLERK" madoguchi
fi
as_clerk() { setpriv --reuid "$CLERK" --regid nogroup --init-groups -- "$@"; }
M="as_clerk /usr/bin/madoguchi"
if printf '%s\n' "$PW" | $M init --admin kanri-taro --request PKG-1 --terminal PKG01 --password-stdin >"$T/init.log" 2>&1; then
	ok "madoguchi init in $WSTORE as $CLERK, a member of the group madoguchi"
else
	sed 's/^/  | /' "$T/init.log"
	bad "madoguchi init in $WSTORE"
fi
key=$(as_central key 2>/dev/null)
token=$(as_central terminal enrol PKG01 2>"$T/enrol.err" | grep -E -o '\b[0-9a-f]{32}\b' | head -n 1)
if [ -n "$token" ] && [ ${#key} -eq 64 ]; then
	ok "madoguchi-central terminal enrol PKG01 gives a token"
else
	sed 's/^/  | /' "$T/enrol.err"
	bad "madoguchi-central terminal enrol PKG01"
fi
if printf '%s\n%s\n' "$PW" "$token" | $M enroll --central "$ADDR" --central-key "$key" \
	--user kanri-taro --password-stdin --token-stdin >"$T/enroll.log" 2>&1; then
	ok "madoguchi enroll against the installed central"
else
	sed 's/^/  | /' "$T/enroll.log"
	bad "madoguchi enroll against the installed central"
fi
if printf '%s\n' "$PW" | $M sync --user kanri-taro --password-stdin >"$T/sync.log" 2>&1 &&
	grep -q "^sync done" "$T/sync.log" &&
	grep -Eq "applied ([1-9][0-9]*)" "$T/sync.log"; then
	ok "madoguchi sync pulls the central's residents ($(grep -Eo 'applied [0-9]+' "$T/sync.log"))"
else
	sed 's/^/  | /' "$T/sync.log"
	bad "madoguchi sync with the installed central"
fi
check "the central lists PKG01 as enrolled" sh -c \
	"runuser -u madoguchi-central -- /usr/bin/madoguchi-central --store $CSTORE terminal list | grep PKG01 | grep -q active"

# The counter screens start on the installed screens (a bad or missing
# screen file would stop them with file:line: reason).
export TMUX_TMPDIR=$T
if tmux -L "$TMUX_SOCK" new-session -d -x 100 -y 30 \
	"setpriv --reuid $CLERK --regid nogroup --init-groups -- env LANG=C.UTF-8 LC_ALL=C.UTF-8 /usr/bin/madoguchi 2>$T/tui.err; sleep 60" 2>"$T/tmux.err"; then
	up=0
	for _ in $(seq 100); do
		if tmux -L "$TMUX_SOCK" capture-pane -p -t 0 2>/dev/null | grep -q "ログイン"; then
			up=1
			break
		fi
		sleep 0.2
	done
	if [ "$up" = 1 ]; then
		ok "the counter screens start on the installed configuration and screens"
	else
		tmux -L "$TMUX_SOCK" capture-pane -p -t 0 2>/dev/null | sed 's/^/  | /'
		sed 's/^/  | /' "$T/tui.err"
		bad "the counter screens did not start"
	fi
	tmux -L "$TMUX_SOCK" kill-server 2>/dev/null
else
	sed 's/^/  | /' "$T/tmux.err"
	bad "tmux new-session for the counter screens"
fi

# ------------------------------------------------------------ 7. purge
if [ -n "$CENTRAL_PID" ]; then
	kill "$CENTRAL_PID" 2>/dev/null
	wait "$CENTRAL_PID" 2>/dev/null
	CENTRAL_PID=""
fi
if apt-get purge -y -q $PKGS >"$T/purge.log" 2>&1; then
	ok "apt-get purge -y $PKGS"
else
	tail -n 20 "$T/purge.log" | sed 's/^/  | /'
	bad "apt-get purge -y $PKGS"
fi
left=""
for f in /usr/bin/madoguchi /usr/bin/madoguchi-central /usr/bin/mynacard-sim /etc/madoguchi \
	/etc/default/madoguchi-central "$UNIT" /usr/share/madoguchi /usr/share/mynacard-sim \
	/etc/systemd/system/multi-user.target.wants/madoguchi-central.service; do
	[ -e "$f" ] || [ -L "$f" ] && left="$left $f"
done
check "nothing of the packages is left after the purge${left:+ (left:$left)}" test -z "$left"
trap - EXIT
cleanup
left=""
[ "$had_cstore" = 0 ] && [ -e "$CSTORE" ] && left="$left $CSTORE"
[ "$had_wstore" = 0 ] && [ -e "$WSTORE" ] && left="$left $WSTORE"
[ "$had_user" = 0 ] && getent passwd madoguchi-central >/dev/null && left="$left user:madoguchi-central"
[ "$had_group" = 0 ] && getent group madoguchi >/dev/null && left="$left group:madoguchi"
[ "$had_clerk" = 0 ] && getent passwd "$CLERK" >/dev/null && left="$left user:$CLERK"
check "the machine is as it was (stores, user and group removed)${left:+ (left:$left)}" test -z "$left"
finish
