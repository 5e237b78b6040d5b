#!/usr/bin/env bash
# test_cli_conventions.sh — GNU and Debian command-line conventions (issue 12)
# for every command and subcommand of madoguchi, madoguchi-central and
# mynacard-sim: `--help` prints the usage on standard output and exits 0; a
# wrong option exits 2 with the message on standard error and nothing on
# standard output.  The commands come from the programs' own tables
# (`help --list`), so a new one is checked without touching this file.
. "$MDG_SRCDIR/tests/lib/lib.sh"

T=$(t_bin madoguchi)
C=$(t_bin madoguchi-central)
S=$(t_bin mynacard-sim)
: >"$T_TMP/empty.conf"
export MDG_CENTRAL_STORE=$T_TMP/no-central

# expect_help NAME CMD...: exit 0, "usage:" on stdout, stderr empty
expect_help() {
	local name=$1 rc; shift
	t_begin "$name"
	"$@" </dev/null >"$T_TMP/out" 2>"$T_TMP/err"
	rc=$?
	if [ $rc -ne 0 ]; then
		t_fail "exit $rc: $(head -c 300 "$T_TMP/err")"
	elif ! grep -q '^usage: ' "$T_TMP/out"; then
		t_fail "no usage on standard output: $(head -c 300 "$T_TMP/out")"
	elif [ -s "$T_TMP/err" ]; then
		t_fail "standard error not empty: $(head -c 300 "$T_TMP/err")"
	else
		t_ok
	fi
}

# expect_usage_error NAME CMD...: exit 2, a message on stderr, stdout empty
expect_usage_error() {
	local name=$1 rc; shift
	t_begin "$name"
	"$@" </dev/null >"$T_TMP/out" 2>"$T_TMP/err"
	rc=$?
	if [ $rc -ne 2 ]; then
		t_fail "exit $rc, want 2: $(head -c 300 "$T_TMP/err")"
	elif ! grep -q -- '--no-such-option\|usage' "$T_TMP/err"; then
		t_fail "no message on standard error: $(head -c 300 "$T_TMP/err")"
	elif [ -s "$T_TMP/out" ]; then
		t_fail "standard output not empty: $(head -c 300 "$T_TMP/out")"
	else
		t_ok
	fi
}

# Every command and subcommand of a program with a command table.
check_program() {
	local prog=$1 name n=0 cmd; shift
	# the global options the program needs to find no real store or config
	local -a pre=("$@")
	"$prog" help --list >"$T_TMP/list" 2>&1 || { t_begin "$prog help --list"; t_fail "$(cat "$T_TMP/list")"; return; }
	name=$(basename "$prog")
	expect_help "$name --help" "$prog" --help
	expect_usage_error "$name --no-such-option" "$prog" --no-such-option
	while read -r -a cmd; do
		n=$((n + 1))
		expect_help "$name ${cmd[*]} --help" "$prog" "${pre[@]}" "${cmd[@]}" --help
		[ "${cmd[0]}" = help ] && continue
		expect_usage_error "$name ${cmd[*]} --no-such-option" \
			"$prog" "${pre[@]}" "${cmd[@]}" --no-such-option
	done <"$T_TMP/list"
	t_begin "$name lists its commands"
	if [ "$n" -ge 8 ]; then t_ok; else t_fail "only $n commands listed"; fi
}

check_program "$T" --config "$T_TMP/empty.conf" --store "$T_TMP/no-store"
check_program "$C" --store "$T_TMP/no-central"

# mynacard-sim has no subcommands.
expect_help "mynacard-sim --help" "$S" --help
expect_usage_error "mynacard-sim --no-such-option" "$S" --no-such-option

# The lists are what the programs dispatch: a name not in them is refused.
expect_usage_error "madoguchi unknown command" "$T" --config "$T_TMP/empty.conf" no-such-command
expect_usage_error "madoguchi-central unknown command" "$C" no-such-command

# terminal enrol names the terminal's real next step: the token is asked
# (or read from standard input), never given on the command line (there is
# no --token option), and the text ends with a line break so that the next
# log line starts on its own.
t_begin "terminal enrol prints the next step"
"$C" --store "$T_TMP/central" init >"$T_TMP/init.out" 2>&1
key=$(sed -n 's/^central public key: //p' "$T_TMP/init.out")
"$C" --store "$T_TMP/central" terminal enrol K01 >"$T_TMP/enrol.out" 2>/dev/null
tok=$(sed -n 2p "$T_TMP/enrol.out")
if ! echo "$tok" | grep -Eq '^[0-9a-f]{32}$'; then
	t_fail "no token on line 2: $(cat "$T_TMP/enrol.out")"
elif ! grep -qF "madoguchi enroll --central HOST:PORT --central-key $key --user NAME" "$T_TMP/enrol.out"; then
	t_fail "no enroll command: $(cat "$T_TMP/enrol.out")"
elif grep -q -- '--token' "$T_TMP/enrol.out" || [ "$(grep -c "$tok" "$T_TMP/enrol.out")" -ne 1 ]; then
	t_fail "the token is offered for a command line: $(cat "$T_TMP/enrol.out")"
elif [ "$(tail -c 1 "$T_TMP/enrol.out" | od -An -c | tr -d ' ')" != '\n' ]; then
	t_fail "output does not end with a line break"
elif ! "$T" help enroll | grep -q -- '--token-stdin'; then
	t_fail "madoguchi enroll does not say how the token is read"
else
	t_ok
fi

t_end
