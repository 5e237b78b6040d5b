#!/bin/sh
# gen-jpki-test-ca.sh — TEST ONLY.  Generates, once, the simulator's own JPKI
# test PKI under data/cards/jpki/: two self-signed test roots (利用者証明用 and
# 署名用), an impostor root that copies the 利用者証明用 root's DN with another
# key (to test that roots are chosen by signature, not by name), and for every
# card profile a bundle NAME.pem that mynacard-sim(1) loads (profile key
# `jpki`):  auth key, auth cert, auth CA cert, sign key, sign cert, sign CA
# cert, in that order.  Nothing here is a J-LIS key or certificate.
#
# The certificates follow the JPKI profile as public work read it from cards:
#   - 利用者証明用 (EF 000A): subject C=JP, CN=<issue identifier>; no personal
#     data at all (a real one carries none either).
#   - 署名用 (EF 0001): subject the same shape; 基本4情報 in subjectAltName as
#     otherName UTF8Strings under 1.2.392.200149.8.5.5: .1 氏名, .2 氏名の代替
#     文字位置 (one 0/1 per character), .3 性別 (ISO 5218 digit), .4 生年月日
#     as EYYYYMMDD (E the era: 1 明治 .. 5 令和, then the Gregorian date),
#     .5 住所, .6 住所の代替文字位置.
# Validity: roots 2024-01-01..2044-01-01; card certificates from 2025-04-01 to
# the fifth birthday after (JPKI certificates end on the 5th birthday).
#
# Usage: scripts/gen-jpki-test-ca.sh [--force]   (run from the source tree)
# Re-running without --force keeps existing keys and certificates.
set -eu
export LC_ALL=C.UTF-8

D=data/cards/jpki
force=0
[ "${1:-}" = "--force" ] && force=1
mkdir -p "$D"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

AUTH_DN="/C=JP/O=JPKI/OU=JPKI for user authentication/OU=madoguchi TEST ONLY"
SIGN_DN="/C=JP/O=JPKI/OU=JPKI for digital signature/OU=madoguchi TEST ONLY"

cat > "$tmp/ca.ext" <<'EOF'
[ca]
basicConstraints = critical, CA:true
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
EOF

root() {	# root NAME DN
	if [ $force = 1 ] || [ ! -f "$D/$1.pem" ]; then
		openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$D/$1.key" 2>/dev/null
		openssl req -new -key "$D/$1.key" -subj "$2" -out "$tmp/$1.csr"
		ca_sign "$tmp/$1.csr" "$D/$1.key" "" 20240101000000Z 20440101000000Z \
		    "$tmp/ca.ext" ca "$D/$1.pem" selfsign
	fi
}

serial=4096
# ca_sign CSR CAKEY CACERT START END EXTFILE SECTION OUT [selfsign]
ca_sign() {
	serial=$((serial + 1))
	rm -rf "$tmp/db"; mkdir -p "$tmp/db"
	: > "$tmp/db/index.txt"
	printf '%X\n' "$serial" > "$tmp/db/serial"
	cat > "$tmp/db/ca.cnf" <<EOF
[ca]
default_ca = c
[c]
dir = $tmp/db
database = \$dir/index.txt
serial = \$dir/serial
new_certs_dir = \$dir
default_md = sha256
policy = any
unique_subject = no
email_in_dn = no
copy_extensions = none
[any]
countryName = optional
organizationName = optional
organizationalUnitName = optional
commonName = optional
EOF
	if [ "${9:-}" = selfsign ]; then
		openssl ca -batch -notext -utf8 -config "$tmp/db/ca.cnf" -selfsign \
		    -keyfile "$2" -startdate "$4" -enddate "$5" -extfile "$6" \
		    -extensions "$7" -preserveDN -in "$1" -out "$8" 2>/dev/null
	else
		openssl ca -batch -notext -utf8 -config "$tmp/db/ca.cnf" -cert "$3" \
		    -keyfile "$2" -startdate "$4" -enddate "$5" -extfile "$6" \
		    -extensions "$7" -preserveDN -in "$1" -out "$8" 2>/dev/null
	fi
}

root ca-auth "$AUTH_DN"
root ca-sign "$SIGN_DN"
root impostor-auth "$AUTH_DN"

# era digit of a YYYYMMDD birth date
era() {
	if [ "$1" -lt 19120730 ]; then echo 1
	elif [ "$1" -lt 19261225 ]; then echo 2
	elif [ "$1" -lt 19890108 ]; then echo 3
	elif [ "$1" -lt 20190501 ]; then echo 4
	else echo 5; fi
}
zeros() { n=$(printf '%s' "$1" | wc -m); printf '%0*d' "$n" 0; }
val() { sed -n "s/^$1 *= *//p" "$2" | head -n 1; }

for card in data/cards/*.card; do
	stem=$(basename "$card" .card)
	out="$D/$stem.pem"
	[ $force = 0 ] && [ -f "$out" ] && continue
	name=$(val name "$card" | sed 's/ /　/g')
	address=$(val address "$card")
	birth=$(val birth "$card")
	sex=$(val sex "$card")
	[ -n "$name" ] && [ -n "$birth" ] || continue
	ident=$(printf '%s' "$stem" | openssl dgst -sha256 -r | cut -c1-24 | tr a-f A-F)
	start=20250401000000Z
	md=${birth#????}
	if [ "$md" -gt 0401 ]; then end=2030$md"145959Z"; else end=2031$md"145959Z"; fi
	authca=ca-auth
	case "$stem" in
	fault-jpki-expired) start=20201101000000Z; end=20251101145959Z ;;
	fault-jpki-forged) authca=impostor-auth ;;
	esac
	cat > "$tmp/ee.ext" <<EOF
[auth]
basicConstraints = critical, CA:false
keyUsage = critical, digitalSignature
authorityKeyIdentifier = keyid
subjectKeyIdentifier = hash
certificatePolicies = 1.2.392.200149.8.5.1.3.30
[sign]
basicConstraints = critical, CA:false
keyUsage = critical, digitalSignature, nonRepudiation
authorityKeyIdentifier = keyid
subjectKeyIdentifier = hash
certificatePolicies = 1.2.392.200149.8.5.1.1.10
subjectAltName = @san
[san]
otherName.1 = 1.2.392.200149.8.5.5.1;FORMAT:UTF8,UTF8:$name
otherName.2 = 1.2.392.200149.8.5.5.4;FORMAT:UTF8,UTF8:$(era "$birth")$birth
otherName.3 = 1.2.392.200149.8.5.5.3;FORMAT:UTF8,UTF8:$sex
otherName.4 = 1.2.392.200149.8.5.5.5;FORMAT:UTF8,UTF8:$address
otherName.5 = 1.2.392.200149.8.5.5.2;FORMAT:UTF8,UTF8:$(zeros "$name")
otherName.6 = 1.2.392.200149.8.5.5.6;FORMAT:UTF8,UTF8:$(zeros "$address")
EOF
	for kind in auth sign; do
		openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$tmp/$kind.key" 2>/dev/null
		openssl req -new -key "$tmp/$kind.key" -subj "/C=JP/CN=${ident}${kind}" -out "$tmp/$kind.csr"
		if [ $kind = auth ]; then cak=$authca; else cak=ca-sign; fi
		ca_sign "$tmp/$kind.csr" "$D/$cak.key" "$D/$cak.pem" "$start" "$end" \
		    "$tmp/ee.ext" $kind "$tmp/$kind.pem"
	done
	{
		echo "# $stem — TEST ONLY: mynacard-sim JPKI keys and certificates (scripts/gen-jpki-test-ca.sh)."
		echo "# Order: 利用者証明用 key, cert, CA; 署名用 key, cert, CA."
		cat "$tmp/auth.key"; openssl x509 -in "$tmp/auth.pem"; openssl x509 -in "$D/$authca.pem"
		cat "$tmp/sign.key"; openssl x509 -in "$tmp/sign.pem"; openssl x509 -in "$D/ca-sign.pem"
	} > "$out"
	echo "  JPKI    $out"
done
