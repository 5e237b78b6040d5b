#!/usr/bin/env bash
# test_noise_vectors.sh — the Noise_IK_25519_ChaChaPoly_BLAKE2b implementation
# against the published cacophony vectors (NET-1), and the checker itself
# against a corrupted copy (it must notice, or it checks nothing).
. "$MDG_SRCDIR/tests/lib/lib.sh"

NV=$MDG_BUILDDIR/tests/tools/noise-vectors
# The published vectors, kept in the tree (public domain; tests/vectors/README.md).
VEC=$MDG_SRCDIR/tests/vectors/noise-ik-25519-chachapoly-blake2b.json

t_begin "vectors file present"
if [ -f "$VEC" ]; then t_ok; else t_fail "missing $VEC"; fi

t_begin "published vectors pass"
if out=$("$NV" "$VEC" 2>&1) && echo "$out" | grep -Eq '^[1-9][0-9]* passed, 0 failed$'; then
	t_ok
else
	t_fail "$out"
fi

# One flipped hex digit in a transport ciphertext, one in the handshake hash,
# one in an ephemeral key: each must make the checker fail.
for what in ciphertext handshake_hash init_ephemeral; do
	t_begin "corrupted $what is caught"
	# perl-base is part of every Debian system; flip the first hex digit of the
	# last occurrence of the member.
	perl -0777 -pe '
		my $k = "'"$what"'";
		my $i = rindex($_, "\"$k\"");
		my $q = index($_, "\"", index($_, ":", $i)) + 1;
		my $c = substr($_, $q, 1);
		substr($_, $q, 1) = $c eq "0" ? "1" : "0";
	' "$VEC" >"$T_TMP/bad-$what.json"
	if out=$("$NV" "$T_TMP/bad-$what.json" 2>&1); then
		t_fail "checker accepted a corrupted file: $out"
	elif echo "$out" | grep -q '^FAIL vector'; then
		t_ok
	else
		t_fail "unexpected output: $out"
	fi
done

t_begin "file without matching vectors fails"
echo '{"vectors":[{"protocol_name":"Noise_NN_25519_AESGCM_SHA256"}]}' >"$T_TMP/other.json"
if "$NV" "$T_TMP/other.json" >/dev/null 2>&1; then t_fail "accepted"; else t_ok; fi

t_begin "malformed JSON fails"
printf '{"vectors":[' >"$T_TMP/trunc.json"
if "$NV" "$T_TMP/trunc.json" >/dev/null 2>&1; then t_fail "accepted"; else t_ok; fi

t_end
