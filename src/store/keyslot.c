/*
 * keyslot.c — the key-slot file beside the database (SPEC 4, AC-4, RET-4;
 * issue 15: rights backed by keys).
 *
 * Format (all integers big-endian), read only through struct rbuf:
 *
 *   "MDGKEYS2"  file id (16)  generation (u64)  slot count (u16)
 *   per slot:
 *     locator     16   BLAKE2b-128(key = file id, account name)
 *     flags       u8   bit 0 locked
 *     failures    u8   consecutive wrong passwords
 *     alg         u8   1 = Argon2id v1.3
 *     opslimit    u64
 *     memlimit    u64
 *     salt        16
 *     public key  32   the account's X25519 public key
 *     nonce       24
 *     wrapped     64 + 32 + 16   XChaCha20-Poly1305 under Argon2id(password)
 *                 of [account name, NUL-padded to 64 | X25519 secret key];
 *                 associated data "MDGKEYS2" || file id || locator || public key
 *     boxed       64 + 8 + 48   crypto_box_seal to the public key of
 *                 [database key | terminal key | generation]
 *
 * The name is only inside the wrapped part: store.keys does not show who
 * has an account.  The database and terminal keys are sealed to the
 * account's public key, so re-keying (store_keyslots_reseal) rewraps every
 * slot without anyone's password, and a generation inside the sealed part
 * must equal the header's, so a boxed part from an older file does not pass
 * for a current one.  The counters and the lock bit are not secret and not
 * sealed: they change on a wrong password, before any key is known; whoever
 * can rewrite this file can reset them, and can equally guess passwords
 * offline, which the Argon2id cost, not the counter, resists.
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "core.h"
#include "store.h"
#include "store-int.h"

#define MAGIC "MDGKEYS2"
#define MAX_SLOTS 1000
#define SALT_LEN 16
#define LOC_LEN 16
#define PK_LEN crypto_box_PUBLICKEYBYTES
#define SK_LEN crypto_box_SECRETKEYBYTES
#define NONCE_LEN crypto_aead_xchacha20poly1305_ietf_NPUBBYTES
#define NAME_PAD 64
#define WRAPPED_PLAIN (NAME_PAD + SK_LEN)
#define WRAPPED_LEN (WRAPPED_PLAIN + crypto_aead_xchacha20poly1305_ietf_ABYTES)
#define BOXED_PLAIN (STORE_SLOT_KEYS_LEN + 8)
#define BOXED_LEN (BOXED_PLAIN + crypto_box_SEALBYTES)
#define FLAG_LOCKED 1
#define FLAG_DISABLED 2		/* a tombstone: the slot's keys are gone */
#define ALG_ARGON2ID13 1

struct slot {
	uint8_t loc[LOC_LEN];
	uint8_t flags;
	uint8_t failures;
	uint64_t ops, mem;
	uint8_t salt[SALT_LEN];
	uint8_t pk[PK_LEN];
	uint8_t nonce[NONCE_LEN];
	uint8_t wrapped[WRAPPED_LEN];
	uint8_t boxed[BOXED_LEN];
};

struct store_keyslots {
	uint8_t id[16];
	uint64_t gen;
	struct slot *v;
	size_t n;
};

int
keyslots_path(const char *dir, char *out, size_t cap, struct err *e)
{
	return store_path(dir, STORE_KEYS_FILE, out, cap, e);
}

int
store_keyslots_new(struct store_keyslots **out, struct err *e)
{
	struct store_keyslots *ks;

	*out = NULL;
	if (sodium_init() < 0)
		return err_set(e, ERR_CRYPTO, "libsodium initialisation failed");
	if ((ks = calloc(1, sizeof(*ks))) == NULL)
		return err_set(e, ERR_NOMEM, "out of memory");
	randombytes_buf(ks->id, sizeof(ks->id));
	ks->gen = 1;
	*out = ks;
	return 0;
}

void
store_keyslots_free(struct store_keyslots *ks)
{
	if (ks == NULL)
		return;
	if (ks->v != NULL) {
		sodium_memzero(ks->v, ks->n * sizeof(*ks->v));
		free(ks->v);
	}
	free(ks);
}

/* Account names: 1-63 bytes of UTF-8 without control characters (a NUL
 * inside would make two different stored names compare equal). */
static int
name_bytes_ok(const uint8_t *p, size_t n)
{
	if (n == 0 || n >= STORE_NAME_MAX || !utf8_valid((const char *)p, n))
		return 0;
	for (size_t i = 0; i < n; i++)
		if (p[i] < 0x20 || p[i] == 0x7f)
			return 0;
	return 1;
}

static int
name_ok(const char *name)
{
	return name != NULL && name_bytes_ok((const uint8_t *)name, strlen(name));
}

/* The slot locator: a keyed hash of the name under the file id. */
static void
locator(const struct store_keyslots *ks, const char *name, uint8_t loc[LOC_LEN])
{
	crypto_generichash(loc, LOC_LEN, (const uint8_t *)name, strlen(name),
	    ks->id, sizeof(ks->id));
}

static struct slot *
find(const struct store_keyslots *ks, const char *name)
{
	uint8_t loc[LOC_LEN];

	if (!name_ok(name))
		return NULL;
	locator(ks, name, loc);
	for (size_t i = 0; i < ks->n; i++)
		if (sodium_memcmp(ks->v[i].loc, loc, LOC_LEN) == 0)
			return &ks->v[i];
	return NULL;
}

static int
parse(struct store_keyslots *ks, const uint8_t *p, size_t len, struct err *e)
{
	struct rbuf b;
	uint8_t magic[8];
	uint16_t count;

	rbuf_init(&b, p, len);
	if (rbuf_get(&b, magic, 8) != 0)
		return err_set(e, ERR_FORMAT, "not a madoguchi key-slot file");
	if (memcmp(magic, "MDGKEYS1", 8) == 0)
		return err_set_ja(e, ERR_FORMAT,
		    "古い形式の鍵ファイルです（ログインすると変換されます）",
		    "key-slot file of v0.1.0 (format 1, one shared key): "
		    "store_open converts it at each account's first login");
	if (memcmp(magic, MAGIC, 8) != 0)
		return err_set(e, ERR_FORMAT, "not a madoguchi key-slot file");
	if (rbuf_get(&b, ks->id, 16) != 0 || rbuf_get_u64(&b, &ks->gen) != 0 ||
	    rbuf_get_u16(&b, &count) != 0)
		return err_set(e, ERR_FORMAT, "key-slot file truncated");
	if (count > MAX_SLOTS)
		return err_set(e, ERR_FORMAT, "key-slot file: too many slots");
	if (count > 0 && (ks->v = calloc(count, sizeof(*ks->v))) == NULL)
		return err_set(e, ERR_NOMEM, "out of memory");
	for (ks->n = 0; ks->n < count; ks->n++) {
		struct slot *s = &ks->v[ks->n];
		uint8_t alg;

		if (rbuf_get(&b, s->loc, LOC_LEN) != 0 ||
		    rbuf_get_u8(&b, &s->flags) != 0 ||
		    rbuf_get_u8(&b, &s->failures) != 0 ||
		    rbuf_get_u8(&b, &alg) != 0 ||
		    rbuf_get_u64(&b, &s->ops) != 0 ||
		    rbuf_get_u64(&b, &s->mem) != 0 ||
		    rbuf_get(&b, s->salt, SALT_LEN) != 0 ||
		    rbuf_get(&b, s->pk, PK_LEN) != 0 ||
		    rbuf_get(&b, s->nonce, NONCE_LEN) != 0 ||
		    rbuf_get(&b, s->wrapped, WRAPPED_LEN) != 0 ||
		    rbuf_get(&b, s->boxed, BOXED_LEN) != 0)
			return err_set(e, ERR_FORMAT, "key-slot file truncated in slot %zu",
			    ks->n + 1);
		if (alg != ALG_ARGON2ID13)
			return err_set(e, ERR_FORMAT, "key-slot file: unknown algorithm %u",
			    alg);
		if ((s->flags & ~(FLAG_LOCKED | FLAG_DISABLED)) != 0)
			return err_set(e, ERR_FORMAT, "key-slot file: unknown flags in slot %zu",
			    ks->n + 1);
		if (s->ops < crypto_pwhash_OPSLIMIT_INTERACTIVE ||
		    s->ops > crypto_pwhash_OPSLIMIT_MAX ||
		    s->mem < crypto_pwhash_MEMLIMIT_INTERACTIVE ||
		    s->mem > (uint64_t)1 << 32)
			return err_set(e, ERR_FORMAT,
			    "key-slot file: Argon2id limits out of range in slot %zu",
			    ks->n + 1);
		for (size_t j = 0; j < ks->n; j++)
			if (memcmp(ks->v[j].loc, s->loc, LOC_LEN) == 0)
				return err_set(e, ERR_FORMAT, "key-slot file: duplicate account");
	}
	if (rbuf_left(&b) != 0)
		return err_set(e, ERR_FORMAT, "key-slot file: trailing bytes");
	return 0;
}

int
store_keyslots_parse(const void *p, size_t n, struct store_keyslots **out,
    struct err *e)
{
	struct store_keyslots *ks;
	int r;

	*out = NULL;
	if (sodium_init() < 0)
		return err_set(e, ERR_CRYPTO, "libsodium initialisation failed");
	if ((ks = calloc(1, sizeof(*ks))) == NULL)
		return err_set(e, ERR_NOMEM, "out of memory");
	if ((r = parse(ks, p, n, e)) != 0) {
		store_keyslots_free(ks);
		return r;
	}
	*out = ks;
	return 0;
}

int
store_keyslots_load(const char *path, struct store_keyslots **out,
    struct err *e)
{
	enum { CAP = 64 + MAX_SLOTS * 512 };
	uint8_t *buf;
	ssize_t n;
	size_t len = 0;
	int fd, r;

	*out = NULL;
	if (sodium_init() < 0)
		return err_set(e, ERR_CRYPTO, "libsodium initialisation failed");
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
		if (errno == ENOENT)
			return err_set_ja(e, ERR_NOTFOUND, "ストアが見つかりません",
			    "%s: no key-slot file (no store here)", path);
		return err_set(e, ERR_IO, "%s: %s", path, strerror(errno));
	}
	if ((buf = malloc(CAP)) == NULL) {
		close(fd);
		return err_set(e, ERR_NOMEM, "out of memory");
	}
	while (len < CAP && (n = read(fd, buf + len, CAP - len)) > 0)
		len += (size_t)n;
	close(fd);
	if (len == CAP) {
		free(buf);
		return err_set(e, ERR_FORMAT, "%s: key-slot file too large", path);
	}
	r = store_keyslots_parse(buf, len, out, e);
	free(buf);
	if (r != 0)
		return err_prefix(e, "%s: ", path);
	return 0;
}

int
store_keyslots_encode(const struct store_keyslots *ks, struct wbuf *w)
{
	wbuf_put(w, MAGIC, 8);
	wbuf_put(w, ks->id, 16);
	wbuf_put_u64(w, ks->gen);
	wbuf_put_u16(w, (uint16_t)ks->n);
	for (size_t i = 0; i < ks->n; i++) {
		const struct slot *s = &ks->v[i];

		wbuf_put(w, s->loc, LOC_LEN);
		wbuf_put_u8(w, s->flags);
		wbuf_put_u8(w, s->failures);
		wbuf_put_u8(w, ALG_ARGON2ID13);
		wbuf_put_u64(w, s->ops);
		wbuf_put_u64(w, s->mem);
		wbuf_put(w, s->salt, SALT_LEN);
		wbuf_put(w, s->pk, PK_LEN);
		wbuf_put(w, s->nonce, NONCE_LEN);
		wbuf_put(w, s->wrapped, WRAPPED_LEN);
		wbuf_put(w, s->boxed, BOXED_LEN);
	}
	return w->err;
}

/* Write data to path atomically: temp file in the same directory, fsync,
 * rename over path, fsync the directory. */
int
store_write_atomic(const char *path, const void *data, size_t len,
    struct err *e)
{
	char tmp[4200], dirbuf[4200];
	int fd, dfd;
	const uint8_t *p = data;
	size_t off = 0;

	if (snprintf(tmp, sizeof(tmp), "%s.tmpXXXXXX", path) >= (int)sizeof(tmp))
		return err_set(e, ERR_RANGE, "path too long");
	if ((fd = mkostemp(tmp, O_CLOEXEC)) < 0)
		return err_set(e, ERR_IO, "%s: %s", tmp, strerror(errno));
	if (fchmod(fd, 0600) != 0)
		goto fail;
	while (off < len) {
		ssize_t n = write(fd, p + off, len - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			goto fail;
		off += (size_t)n;
	}
	if (fsync(fd) != 0)
		goto fail;
	if (close(fd) != 0) {
		fd = -1;
		goto fail;
	}
	fd = -1;
	if (rename(tmp, path) != 0)
		goto fail;
	snprintf(dirbuf, sizeof(dirbuf), "%s", path);
	if ((dfd = open(dirname(dirbuf), O_RDONLY | O_DIRECTORY | O_CLOEXEC)) >= 0) {
		fsync(dfd);
		close(dfd);
	}
	return 0;
fail:
	err_set(e, ERR_IO, "%s: %s", path, strerror(errno));
	if (fd >= 0)
		close(fd);
	unlink(tmp);
	return ERR_IO;
}

int
store_keyslots_save(const struct store_keyslots *ks, const char *path,
    struct err *e)
{
	struct wbuf w;
	int r;

	wbuf_init(&w, 1 << 20);
	if (store_keyslots_encode(ks, &w) != 0) {
		wbuf_free(&w);
		return err_set(e, ERR_NOMEM, "out of memory");
	}
	r = store_write_atomic(path, w.p, w.len, e);
	wbuf_free(&w);
	return r;
}

size_t
store_keyslots_count(const struct store_keyslots *ks)
{
	return ks->n;
}

uint64_t
store_keyslots_generation(const struct store_keyslots *ks)
{
	return ks->gen;
}

int
store_keyslots_has(const struct store_keyslots *ks, const char *name)
{
	const struct slot *s = find(ks, name);

	return s != NULL && !(s->flags & FLAG_DISABLED);
}

int
store_keyslots_pk(const struct store_keyslots *ks, const char *name,
    uint8_t pk[STORE_PK_LEN])
{
	const struct slot *s = find(ks, name);

	if (s == NULL || (s->flags & FLAG_DISABLED))
		return ERR_NOTFOUND;
	memcpy(pk, s->pk, PK_LEN);
	return 0;
}

static void
slot_ad(const struct store_keyslots *ks, const struct slot *s, uint8_t *ad,
    size_t *adlen)
{
	memcpy(ad, MAGIC, 8);
	memcpy(ad + 8, ks->id, 16);
	memcpy(ad + 24, s->loc, LOC_LEN);
	memcpy(ad + 24 + LOC_LEN, s->pk, PK_LEN);
	*adlen = 24 + LOC_LEN + PK_LEN;
}

/* Argon2id of the password into a locked 32-byte wrap key. */
static int
derive(const char *password, const uint8_t salt[SALT_LEN], uint64_t ops,
    uint64_t mem, uint8_t *wk, struct err *e)
{
	if (crypto_pwhash(wk, 32, password, strlen(password), salt, ops,
	    (size_t)mem, crypto_pwhash_ALG_ARGON2ID13) != 0)
		return err_set(e, ERR_NOMEM, "Argon2id: out of memory");
	return 0;
}

/* Seal keys || generation to the slot's public key. */
static int
box(const struct store_keyslots *ks, struct slot *s,
    const uint8_t keys[STORE_SLOT_KEYS_LEN])
{
	uint8_t *plain = sodium_malloc(BOXED_PLAIN);
	int r;

	if (plain == NULL)
		return ERR_NOMEM;
	memcpy(plain, keys, STORE_SLOT_KEYS_LEN);
	for (int i = 0; i < 8; i++)
		plain[STORE_SLOT_KEYS_LEN + i] = (uint8_t)(ks->gen >> (56 - 8 * i));
	r = crypto_box_seal(s->boxed, plain, BOXED_PLAIN, s->pk) == 0 ? 0 :
	    ERR_CRYPTO;
	sodium_free(plain);
	return r;
}

int
store_keyslots_set(struct store_keyslots *ks, const char *name,
    const char *password, const uint8_t keys[STORE_SLOT_KEYS_LEN],
    const uint8_t *sk, const struct store_kdf *kdf, struct err *e)
{
	struct slot s, *old;
	uint8_t ad[24 + LOC_LEN + PK_LEN], *wk, *plain;
	size_t adlen;
	int r;

	if (!name_ok(name))
		return err_set(e, ERR_INVAL, "bad account name");
	if (password == NULL || *password == '\0' ||
	    strlen(password) >= STORE_PASSWORD_MAX)
		return err_set(e, ERR_INVAL, "bad password length");
	memset(&s, 0, sizeof(s));
	s.ops = kdf ? kdf->opslimit : crypto_pwhash_OPSLIMIT_INTERACTIVE;
	s.mem = kdf ? kdf->memlimit : crypto_pwhash_MEMLIMIT_INTERACTIVE;
	if (s.ops < crypto_pwhash_OPSLIMIT_INTERACTIVE ||
	    s.mem < crypto_pwhash_MEMLIMIT_INTERACTIVE ||
	    s.ops > crypto_pwhash_OPSLIMIT_MAX || s.mem > (uint64_t)1 << 32)
		return err_set(e, ERR_RANGE,
		    "Argon2id limits below the INTERACTIVE minimum or too large");
	locator(ks, name, s.loc);
	randombytes_buf(s.salt, SALT_LEN);
	randombytes_buf(s.nonce, NONCE_LEN);
	if ((wk = sodium_malloc(32)) == NULL ||
	    (plain = sodium_malloc(WRAPPED_PLAIN)) == NULL) {
		if (wk != NULL)
			sodium_free(wk);
		return err_set(e, ERR_NOMEM, "sodium_malloc");
	}
	memset(plain, 0, WRAPPED_PLAIN);
	memcpy(plain, name, strlen(name));
	if (sk != NULL) {
		memcpy(plain + NAME_PAD, sk, SK_LEN);
		crypto_scalarmult_base(s.pk, sk);
	} else
		crypto_box_keypair(s.pk, plain + NAME_PAD);
	if ((r = derive(password, s.salt, s.ops, s.mem, wk, e)) != 0)
		goto out;
	slot_ad(ks, &s, ad, &adlen);
	crypto_aead_xchacha20poly1305_ietf_encrypt(s.wrapped, NULL, plain,
	    WRAPPED_PLAIN, ad, adlen, NULL, s.nonce, wk);
	if (box(ks, &s, keys) != 0) {
		r = err_set(e, ERR_CRYPTO, "crypto_box_seal failed");
		goto out;
	}
	if ((old = find(ks, name)) != NULL) {
		*old = s;
		goto out;
	}
	if (ks->n >= MAX_SLOTS) {
		r = err_set(e, ERR_RANGE, "too many key slots");
		goto out;
	}
	{
		struct slot *v = realloc(ks->v, (ks->n + 1) * sizeof(*v));
		if (v == NULL) {
			r = err_set(e, ERR_NOMEM, "out of memory");
			goto out;
		}
		ks->v = v;
	}
	ks->v[ks->n++] = s;
out:
	sodium_memzero(&s, sizeof(s));
	sodium_free(plain);
	sodium_free(wk);
	return r;
}

int
store_keyslots_remove(struct store_keyslots *ks, const char *name,
    struct err *e)
{
	struct slot *s = find(ks, name);
	size_t i;

	if (s == NULL)
		return err_set(e, ERR_NOTFOUND, "no key slot for that account");
	i = (size_t)(s - ks->v);
	sodium_memzero(s, sizeof(*s));
	memmove(&ks->v[i], &ks->v[i + 1], (ks->n - i - 1) * sizeof(*s));
	ks->n--;
	return 0;
}

int
store_keyslots_reseal(struct store_keyslots *ks,
    const uint8_t keys[STORE_SLOT_KEYS_LEN], struct err *e)
{
	ks->gen++;
	for (size_t i = 0; i < ks->n; i++)
		if (!(ks->v[i].flags & FLAG_DISABLED) && box(ks, &ks->v[i], keys) != 0)
			return err_set(e, ERR_CRYPTO, "crypto_box_seal failed");
	return 0;
}

int
store_keyslots_unlock(const struct store_keyslots *ks, const char *name,
    const char *password, uint8_t keys[STORE_SLOT_KEYS_LEN], uint8_t *sk,
    struct err *e)
{
	const struct slot *s = find(ks, name);
	uint8_t ad[24 + LOC_LEN + PK_LEN], *wk = NULL, *plain = NULL, *bplain = NULL;
	uint8_t pk[PK_LEN];
	size_t adlen;
	uint64_t gen = 0;
	int r;

	sodium_memzero(keys, STORE_SLOT_KEYS_LEN);
	if (sk != NULL)
		sodium_memzero(sk, SK_LEN);
	if (s == NULL)
		return err_set_ja(e, ERR_NOTFOUND, "利用者IDが登録されていません",
		    "unknown account");
	if (s->flags & FLAG_DISABLED)
		return err_set_ja(e, ERR_PERM, "アカウントは無効です",
		    "account disabled (its key slot is gone)");
	if (password == NULL)
		return err_set(e, ERR_AUTH, "no password");
	if ((wk = sodium_malloc(32)) == NULL ||
	    (plain = sodium_malloc(WRAPPED_PLAIN)) == NULL ||
	    (bplain = sodium_malloc(BOXED_PLAIN)) == NULL) {
		r = err_set(e, ERR_NOMEM, "sodium_malloc");
		goto out;
	}
	if ((r = derive(password, s->salt, s->ops, s->mem, wk, e)) != 0)
		goto out;
	slot_ad(ks, s, ad, &adlen);
	if (crypto_aead_xchacha20poly1305_ietf_decrypt(plain, NULL, NULL,
	    s->wrapped, WRAPPED_LEN, ad, adlen, s->nonce, wk) != 0) {
		r = err_set_ja(e, ERR_AUTH, "パスワードが違います", "wrong password");
		goto out;
	}
	/* The name inside must be the one asked for, and the public key the
	 * secret key's (both are authenticated; this catches a slot built
	 * wrongly, not only an edited one). */
	crypto_scalarmult_base(pk, plain + NAME_PAD);
	if (strnlen((const char *)plain, NAME_PAD) != strlen(name) ||
	    memcmp(plain, name, strlen(name)) != 0 ||
	    sodium_memcmp(pk, s->pk, PK_LEN) != 0) {
		r = err_set(e, ERR_CORRUPT, "key slot does not belong to this account");
		goto out;
	}
	if (crypto_box_seal_open(bplain, s->boxed, BOXED_LEN, s->pk,
	    plain + NAME_PAD) != 0) {
		r = err_set_ja(e, ERR_CORRUPT, "鍵ファイルの改ざんまたは破損を検出しました",
		    "key slot: the sealed database key does not open");
		goto out;
	}
	for (int i = 0; i < 8; i++)
		gen = gen << 8 | bplain[STORE_SLOT_KEYS_LEN + i];
	if (gen != ks->gen) {
		r = err_set_ja(e, ERR_CORRUPT, "鍵ファイルの改ざんまたは破損を検出しました",
		    "key slot from another generation (%llu, file %llu)",
		    (unsigned long long)gen, (unsigned long long)ks->gen);
		goto out;
	}
	memcpy(keys, bplain, STORE_SLOT_KEYS_LEN);
	if (sk != NULL)
		memcpy(sk, plain + NAME_PAD, SK_LEN);
	r = 0;
out:
	if (wk != NULL)
		sodium_free(wk);
	if (plain != NULL)
		sodium_free(plain);
	if (bplain != NULL)
		sodium_free(bplain);
	return r;
}

int
store_keyslots_state(const struct store_keyslots *ks, const char *name,
    struct store_slot_state *st)
{
	const struct slot *s = find(ks, name);

	if (s == NULL)
		return ERR_NOTFOUND;
	st->failures = s->failures;
	st->locked = (s->flags & FLAG_LOCKED) != 0;
	st->disabled = (s->flags & FLAG_DISABLED) != 0;
	return 0;
}

int
store_keyslots_set_state(struct store_keyslots *ks, const char *name,
    const struct store_slot_state *st)
{
	struct slot *s = find(ks, name);

	if (s == NULL)
		return ERR_NOTFOUND;
	s->failures = (uint8_t)(st->failures < 0 ? 0 :
	    st->failures > 255 ? 255 : st->failures);
	s->flags = (uint8_t)((st->locked ? FLAG_LOCKED : 0) |
	    (s->flags & FLAG_DISABLED));
	return 0;
}

int
store_keyslots_disable(struct store_keyslots *ks, const char *name,
    struct err *e)
{
	struct slot *s = find(ks, name);

	if (s == NULL)
		return err_set(e, ERR_NOTFOUND, "no key slot for that account");
	/* Keep only the locator: the login says "disabled", and nothing of
	 * the slot's keys survives in the file. */
	{
		uint8_t loc[LOC_LEN];

		memcpy(loc, s->loc, LOC_LEN);
		sodium_memzero(s, sizeof(*s));
		memcpy(s->loc, loc, LOC_LEN);
	}
	s->flags = FLAG_DISABLED;
	s->ops = crypto_pwhash_OPSLIMIT_INTERACTIVE;
	s->mem = crypto_pwhash_MEMLIMIT_INTERACTIVE;
	return 0;
}
