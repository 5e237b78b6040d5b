#!/bin/sh
# Install the Debian packages madoguchi needs to build, test and run.
# Skips what is installed; runs apt-get update first when something is missing;
# works as root, uses sudo when it exists, otherwise prints the command to run.
# Arguments are more packages for one target (make package-check: debhelper,
# lintian).  The CUPS packages are for the receipt printer test (a private
# cupsd, lp and lpadmin, the gziptoany filter).
set -eu

PKGS="gcc make pkg-config libncurses-dev libsqlite3-dev libsodium-dev libpcsclite-dev
clang libclang-rt-14-dev pcscd vsmartcard-vpcd tmux libsqlcipher-dev libssl-dev opensc
libopenjp2-7-dev libpng-dev libchafa-dev libglib2.0-dev liboath-dev libqrencode-dev oathtool
cups-daemon cups-client cups-core-drivers $*"

missing=""
for p in $PKGS; do
	if ! dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed$'; then
		missing="$missing $p"
	fi
done
[ -z "$missing" ] && exit 0

echo "deps: installing:$missing"
if [ "$(id -u)" -eq 0 ]; then
	SUDO=""
elif command -v sudo >/dev/null 2>&1; then
	SUDO="sudo"
else
	echo "deps: not root and no sudo; run as root:" >&2
	echo "  apt-get update && apt-get install -y$missing" >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
# shellcheck disable=SC2086
$SUDO apt-get install -y -q --no-install-recommends $missing
