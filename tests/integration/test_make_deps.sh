#!/usr/bin/env bash
# test_make_deps.sh — `make` on a machine without the libraries says that
# `make deps` (or `make demo` / `make check`) installs them, before anything
# is compiled, instead of failing inside the compiler (issue 12).  The
# machine is made to look bare by pointing pkg-config at an empty directory.
. "$MDG_SRCDIR/tests/lib/lib.sh"

mkdir -p "$T_TMP/no-pc"
command -v make >/dev/null 2>&1 || { t_begin "make"; t_skip "make is not installed"; t_end; exit $?; }

t_begin "make without the libraries names them and make deps"
PKG_CONFIG_LIBDIR=$T_TMP/no-pc PKG_CONFIG_PATH= \
	make -C "$MDG_SRCDIR" --no-print-directory BUILD="$T_TMP/b" >"$T_TMP/out" 2>&1
rc=$?
if [ $rc -eq 0 ]; then
	t_fail "make succeeded"
elif ! grep -q 'missing build dependencies: .*sqlite3.*libsodium' "$T_TMP/out" ||
    ! grep -q '`make deps` installs' "$T_TMP/out"; then
	t_fail "no useful message: $(head -c 400 "$T_TMP/out")"
elif grep -q '  CC  \|error:' "$T_TMP/out" || [ -e "$T_TMP/b" ]; then
	t_fail "compiled something first: $(head -c 400 "$T_TMP/out")"
else
	t_ok
fi

t_begin "with the libraries the same make would build"
if make -C "$MDG_SRCDIR" --no-print-directory -n MODE=rel progs BUILD="$T_TMP/b" \
    >"$T_TMP/out2" 2>&1 && grep -q 'src/ui/main.c' "$T_TMP/out2"; then
	t_ok
else
	t_fail "$(head -c 400 "$T_TMP/out2")"
fi

t_end
