/*
 * keyslot.c — the key-slot file beside the database (SPEC 4, AC-4, RET-4).
 *
 * Format (all integers big-endian), read only through struct rbuf:
 *
 *   "MDGKEYS1"  file id (16)  slot count (u16)
 *   per slot:
 *     name        u8 length + bytes (1..63)
 *     flags       u8   bit 0 locked, bit 1 disabled
 *     failures    u8   consecutive wrong passwords
 *     alg         u8   1 = Argon2id v1.3
 *     opslimit    u64
 *     memlimit    u64
 *     salt        16
 *     nonce       24
 *     sealed key  32 + 16 (XChaCha20-Poly1305 of the database key)
 *
 * The wrap key is Argon2id(password, salt, opslimit, memlimit); the
 * associated data is "MDGKEYS1" || file id || name, so a slot cannot be
 * moved to another account or another store.  The counters and flags are
 * not secret and not sealed: whoever can rewrite this file can also guess
 * passwords offline, which the Argon2id cost, not the counter, resists.
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

#define MAGIC "MDGKEYS1"
#define MAX_SLOTS 1000
#define SALT_LEN 16
#define NONCE_LEN crypto_aead_xchacha20poly1305_ietf_NPUBBYTES
#define SEALED_LEN (STORE_KEY_LEN + crypto_aead_xchacha20poly1305_ietf_ABYTES)
#define FLAG_LOCKED 1
#define FLAG_DISABLED 2
#define ALG_ARGON2ID13 1

struct slot {
	char name[STORE_NAME_MAX];
	uint8_t flags;
	uint8_t failures;
	uint64_t ops, mem;
	uint8_t salt[SALT_LEN];
	uint8_t nonce[NONCE_LEN];
	uint8_t sealed[SEALED_LEN];
};

struct store_keyslots {
	uint8_t id[16];
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

static struct slot *
find(const struct store_keyslots *ks, const char *name)
{
	for (size_t i = 0; i < ks->n; i++)
		if (strcmp(ks->v[i].name, name) == 0)
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
	if (rbuf_get(&b, magic, 8) != 0 || memcmp(magic, MAGIC, 8) != 0)
		return err_set(e, ERR_FORMAT, "not a madoguchi key-slot file");
	if (rbuf_get(&b, ks->id, 16) != 0 || rbuf_get_u16(&b, &count) != 0)
		return err_set(e, ERR_FORMAT, "key-slot file truncated");
	if (count > MAX_SLOTS)
		return err_set(e, ERR_FORMAT, "key-slot file: too many slots");
	if (count > 0 && (ks->v = calloc(count, sizeof(*ks->v))) == NULL)
		return err_set(e, ERR_NOMEM, "out of memory");
	for (ks->n = 0; ks->n < count; ks->n++) {
		struct slot *s = &ks->v[ks->n];
		const uint8_t *nm;
		size_t nlen;
		uint8_t alg;

		if (rbuf_get_lp(&b, 1, STORE_NAME_MAX - 1, &nm, &nlen) != 0 ||
		    !name_bytes_ok(nm, nlen))
			return err_set(e, ERR_FORMAT, "key-slot file: bad name in slot %zu",
			    ks->n + 1);
		memcpy(s->name, nm, nlen);
		s->name[nlen] = '\0';
		if (rbuf_get_u8(&b, &s->flags) != 0 ||
		    rbuf_get_u8(&b, &s->failures) != 0 ||
		    rbuf_get_u8(&b, &alg) != 0 ||
		    rbuf_get_u64(&b, &s->ops) != 0 ||
		    rbuf_get_u64(&b, &s->mem) != 0 ||
		    rbuf_get(&b, s->salt, SALT_LEN) != 0 ||
		    rbuf_get(&b, s->nonce, NONCE_LEN) != 0 ||
		    rbuf_get(&b, s->sealed, SEALED_LEN) != 0)
			return err_set(e, ERR_FORMAT, "key-slot file truncated in slot %zu",
			    ks->n + 1);
		if (alg != ALG_ARGON2ID13)
			return err_set(e, ERR_FORMAT, "key-slot file: unknown algorithm %u",
			    alg);
		if (s->ops < crypto_pwhash_OPSLIMIT_INTERACTIVE ||
		    s->ops > crypto_pwhash_OPSLIMIT_MAX ||
		    s->mem < crypto_pwhash_MEMLIMIT_INTERACTIVE ||
		    s->mem > (uint64_t)1 << 32)
			return err_set(e, ERR_FORMAT,
			    "key-slot file: Argon2id limits out of range in slot %zu",
			    ks->n + 1);
		if (find(ks, s->name) != NULL)	/* searches slots before this one */
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
	enum { CAP = 16 + 8 + 2 + MAX_SLOTS * 256 };
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
	wbuf_put_u16(w, (uint16_t)ks->n);
	for (size_t i = 0; i < ks->n; i++) {
		const struct slot *s = &ks->v[i];

		wbuf_put_lp(w, 1, s->name, strlen(s->name));
		wbuf_put_u8(w, s->flags);
		wbuf_put_u8(w, s->failures);
		wbuf_put_u8(w, ALG_ARGON2ID13);
		wbuf_put_u64(w, s->ops);
		wbuf_put_u64(w, s->mem);
		wbuf_put(w, s->salt, SALT_LEN);
		wbuf_put(w, s->nonce, NONCE_LEN);
		wbuf_put(w, s->sealed, SEALED_LEN);
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

const char *
store_keyslots_name(const struct store_keyslots *ks, size_t i)
{
	return i < ks->n ? ks->v[i].name : NULL;
}

int
store_keyslots_has(const struct store_keyslots *ks, const char *name)
{
	return name != NULL && find(ks, name) != NULL;
}

static void
slot_ad(const struct store_keyslots *ks, const char *name, uint8_t *ad,
    size_t *adlen)
{
	size_t n = strlen(name);

	memcpy(ad, MAGIC, 8);
	memcpy(ad + 8, ks->id, 16);
	memcpy(ad + 24, name, n);
	*adlen = 24 + n;
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

int
store_keyslots_set(struct store_keyslots *ks, const char *name,
    const char *password, const uint8_t key[STORE_KEY_LEN],
    const struct store_kdf *kdf, struct err *e)
{
	struct slot s, *old;
	uint8_t ad[24 + STORE_NAME_MAX], *wk;
	size_t adlen;
	int r;

	if (!name_ok(name))
		return err_set(e, ERR_INVAL, "bad account name");
	if (password == NULL || *password == '\0' ||
	    strlen(password) >= STORE_PASSWORD_MAX)
		return err_set(e, ERR_INVAL, "bad password length");
	memset(&s, 0, sizeof(s));
	snprintf(s.name, sizeof(s.name), "%s", name);
	s.ops = kdf ? kdf->opslimit : crypto_pwhash_OPSLIMIT_INTERACTIVE;
	s.mem = kdf ? kdf->memlimit : crypto_pwhash_MEMLIMIT_INTERACTIVE;
	if (s.ops < crypto_pwhash_OPSLIMIT_INTERACTIVE ||
	    s.mem < crypto_pwhash_MEMLIMIT_INTERACTIVE ||
	    s.ops > crypto_pwhash_OPSLIMIT_MAX || s.mem > (uint64_t)1 << 32)
		return err_set(e, ERR_RANGE,
		    "Argon2id limits below the INTERACTIVE minimum or too large");
	randombytes_buf(s.salt, SALT_LEN);
	randombytes_buf(s.nonce, NONCE_LEN);
	if ((wk = sodium_malloc(32)) == NULL)
		return err_set(e, ERR_NOMEM, "sodium_malloc");
	if ((r = derive(password, s.salt, s.ops, s.mem, wk, e)) != 0) {
		sodium_free(wk);
		return r;
	}
	slot_ad(ks, name, ad, &adlen);
	crypto_aead_xchacha20poly1305_ietf_encrypt(s.sealed, NULL, key,
	    STORE_KEY_LEN, ad, adlen, NULL, s.nonce, wk);
	sodium_free(wk);
	if ((old = find(ks, name)) != NULL) {
		*old = s;
		return 0;
	}
	if (ks->n >= MAX_SLOTS)
		return err_set(e, ERR_RANGE, "too many key slots");
	{
		struct slot *v = realloc(ks->v, (ks->n + 1) * sizeof(*v));
		if (v == NULL)
			return err_set(e, ERR_NOMEM, "out of memory");
		ks->v = v;
	}
	ks->v[ks->n++] = s;
	return 0;
}

int
store_keyslots_remove(struct store_keyslots *ks, const char *name,
    struct err *e)
{
	struct slot *s = name ? find(ks, name) : NULL;
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
store_keyslots_unlock(const struct store_keyslots *ks, const char *name,
    const char *password, uint8_t key[STORE_KEY_LEN], struct err *e)
{
	const struct slot *s = name ? find(ks, name) : NULL;
	uint8_t ad[24 + STORE_NAME_MAX], *wk;
	size_t adlen;
	int r;

	sodium_memzero(key, STORE_KEY_LEN);
	if (s == NULL)
		return err_set_ja(e, ERR_NOTFOUND, "利用者IDが登録されていません",
		    "unknown account");
	if (password == NULL)
		return err_set(e, ERR_AUTH, "no password");
	if ((wk = sodium_malloc(32)) == NULL)
		return err_set(e, ERR_NOMEM, "sodium_malloc");
	if ((r = derive(password, s->salt, s->ops, s->mem, wk, e)) != 0) {
		sodium_free(wk);
		return r;
	}
	slot_ad(ks, name, ad, &adlen);
	r = crypto_aead_xchacha20poly1305_ietf_decrypt(key, NULL, NULL,
	    s->sealed, SEALED_LEN, ad, adlen, s->nonce, wk);
	sodium_free(wk);
	if (r != 0) {
		sodium_memzero(key, STORE_KEY_LEN);
		return err_set_ja(e, ERR_AUTH, "パスワードが違います",
		    "wrong password");
	}
	return 0;
}

int
store_keyslots_state(const struct store_keyslots *ks, const char *name,
    struct store_slot_state *st)
{
	const struct slot *s = name ? find(ks, name) : NULL;

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
	struct slot *s = name ? find(ks, name) : NULL;

	if (s == NULL)
		return ERR_NOTFOUND;
	s->failures = (uint8_t)(st->failures < 0 ? 0 :
	    st->failures > 255 ? 255 : st->failures);
	s->flags = (uint8_t)((st->locked ? FLAG_LOCKED : 0) |
	    (st->disabled ? FLAG_DISABLED : 0));
	return 0;
}
