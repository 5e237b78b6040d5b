/*
 * vfs.c — the encrypting SQLite VFS ("mdg-enc") over the default unix VFS.
 *
 * Page format (main database and each page image inside a WAL frame), with
 * the page size fixed at STORE_PAGE_SIZE and STORE_RESERVE reserved bytes
 * that SQLite leaves alone at the end of every page:
 *
 *   [ ciphertext of bytes 0 .. PS-40 | nonce (24) | Poly1305 tag (16) ]
 *
 * XChaCha20-Poly1305 (IETF), a fresh random nonce for every write, the
 * associated data = database id (16) || page number (4, big-endian).  The
 * page number binds a page to its place: a page copied or swapped elsewhere
 * fails authentication.  A WAL frame is [24-byte frame header | page image];
 * SQLite writes the WAL header and frame headers itself and they carry only
 * page numbers, salts and checksums, so they pass through in the clear; the
 * page number for the associated data is taken from the frame header, so a
 * frame header edited to move a page also fails.
 *
 * Crashes and the WAL.  SQLite checksums each WAL frame over the page it
 * handed to xWrite, i.e. the plaintext, and its recovery (walIndexRecover)
 * checks that checksum over what xRead returns, i.e. after decryption.  So
 * SQLite's "this frame is incomplete, the log ends here" test can only run
 * once the page has authenticated.  A process killed between writing a
 * frame header and finishing the page behind it leaves a frame whose header
 * carries the current salts over a page that does not authenticate (half
 * written, or an older page left from before the log was restarted, sealed
 * for another page number).  Failing that read made recovery fail and the
 * store unopenable.  The rule, applied only while SQLite runs recovery (it
 * holds the exclusive WAL_RECOVER_LOCK on the shm, tracked in xShmLock) and
 * only to whole-frame reads (recovery reads frame by frame):
 *
 *   - a frame whose salts differ from the WAL header's is not in the log;
 *   - a frame that fails authentication and has NO later frame of the same
 *     generation (same salts) marked as a commit is the torn tail of an
 *     interrupted write: it is handed to SQLite with its salts inverted, so
 *     SQLite's own salt check ends the log there and it opens at the last
 *     complete commit, exactly as for a log cut mid-frame;
 *   - a frame that fails authentication with a later commit frame after it
 *     was committed and then changed: an error (SQLITE_IOERR_DATA).
 *
 * Why this is sound: SQLite writes frames strictly in order, so a commit
 * frame is only ever written after every earlier frame is complete; for
 * power loss, where the kernel may reorder unsynced writes, the VFS syncs
 * the WAL before a commit frame's header whenever frames were written since
 * the last sync.  A commit frame on disk therefore proves every frame before
 * it was whole.  What the rule accepts as a torn tail (a bad frame with no
 * commit after it) is exactly what an attacker gets by cutting the WAL at
 * that frame, which no page-sealing scheme can tell from a crash anyway:
 * rolling back to an earlier commit is detected at the level of the audit
 * chain and the sync with the central, not here.  Outside recovery every
 * frame that fails authentication is an error.
 *
 * The key reaches xOpen through a URI parameter "mdgkey=<16 hex digits>":
 * a random 64-bit handle, looked up in a mutex-protected registry of the
 * live key contexts (reference-counted, in locked memory).  The URI never
 * carries an address: a handle that is not registered (made up, stale, or
 * from another process) is refused with SQLITE_CANTOPEN and a log line,
 * never dereferenced.  Only store_db_open_key builds such URIs, and every
 * connection it opens forbids ATTACH besides.  A context lives, and its
 * handle stays valid, until the last file of its connection (database or
 * WAL) is closed.
 */
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>
#include <sqlite3.h>

#include "core.h"
#include "store.h"
#include "store-int.h"

#define PS STORE_PAGE_SIZE
#define DATA_LEN (PS - STORE_RESERVE)
#define NONCE_LEN crypto_aead_xchacha20poly1305_ietf_NPUBBYTES
#define TAG_LEN crypto_aead_xchacha20poly1305_ietf_ABYTES
#define WAL_HDR 32
#define FRAME_HDR 24
#define FRAME (FRAME_HDR + PS)

_Static_assert(NONCE_LEN + TAG_LEN == STORE_RESERVE, "reserve = nonce + tag");

struct vfs_key {
	struct vfs_key *next;		/* registry list, under reg_mu */
	uint64_t handle;		/* random, never 0 */
	int refs;			/* under reg_mu */
	uint8_t pagekey[32];
	uint8_t dbid[16];
	/* The last page image read from the WAL, sealed and open.  A
	 * checkpoint reads a frame and at once writes the same bytes to the
	 * database at the same page number; the WAL's sealed image is then
	 * valid there too (same key, same associated data), so it is written
	 * as it is instead of being sealed again: no nonce is used twice
	 * because the (nonce, plaintext) pair is the one already on disk. */
	uint32_t last_pgno;		/* 0 = none */
	uint8_t last_ct[PS];
	uint8_t last_pt[PS];
	/* SQLite holds the shm recovery lock of this connection: WAL reads
	 * are walIndexRecover's (see the header comment). */
	int recovering;
};

enum file_kind { F_MAIN, F_WAL, F_TEMP };

struct enc_file {
	sqlite3_file base;		/* must be first: our methods */
	sqlite3_file *real;		/* the unix file, allocated after us */
	enum file_kind kind;
	struct vfs_key *key;		/* F_MAIN, F_WAL */
	uint8_t *ct;			/* ciphertext scratch, one page */
	uint8_t *pt;			/* plaintext scratch for partial reads */
	uint8_t tkey[32];		/* F_TEMP: throw-away stream key */
	uint8_t tnonce[24];
	int64_t hdr_frame;		/* WAL: last frame header written ... */
	uint32_t hdr_pgno;		/* ... and its page number */
	int unsynced;			/* WAL: pages written since the last sync */
	const char *path;
};

/* ---------------------------------------------------------- key context */

/*
 * The registry of live key contexts.  SQLite gives xOpen nothing but the
 * file name and its URI parameters, so the handle -> context map has to be
 * process-wide, like the registered VFS itself; it is touched only under
 * reg_mu.  A handful of connections at most: a list is enough.
 */
static pthread_mutex_t reg_mu = PTHREAD_MUTEX_INITIALIZER;
static struct vfs_key *reg_head;

static struct vfs_key *
reg_find_locked(uint64_t handle)
{
	for (struct vfs_key *k = reg_head; k != NULL; k = k->next)
		if (k->handle == handle)
			return k;
	return NULL;
}

int
vfs_key_new(const uint8_t key[STORE_KEY_LEN], struct vfs_key **out,
    struct err *e)
{
	struct vfs_key *k;

	*out = NULL;
	if (sodium_init() < 0)
		return err_set(e, ERR_CRYPTO, "libsodium initialisation failed");
	if ((k = sodium_malloc(sizeof(*k))) == NULL)
		return err_set(e, ERR_NOMEM, "sodium_malloc");
	k->refs = 1;
	k->last_pgno = 0;
	k->recovering = 0;
	/* Two independent subkeys: the page key and the database id. */
	crypto_kdf_derive_from_key(k->pagekey, sizeof(k->pagekey), 1, "mdgstore", key);
	crypto_kdf_derive_from_key(k->dbid, sizeof(k->dbid), 2, "mdgstore", key);
	pthread_mutex_lock(&reg_mu);
	do
		randombytes_buf(&k->handle, sizeof(k->handle));
	while (k->handle == 0 || reg_find_locked(k->handle) != NULL);
	k->next = reg_head;
	reg_head = k;
	pthread_mutex_unlock(&reg_mu);
	*out = k;
	return 0;
}

void
vfs_key_unref(struct vfs_key *k)
{
	int last;

	if (k == NULL)
		return;
	pthread_mutex_lock(&reg_mu);
	if ((last = --k->refs == 0)) {
		for (struct vfs_key **pp = &reg_head; *pp != NULL; pp = &(*pp)->next)
			if (*pp == k) {
				*pp = k->next;
				break;
			}
	}
	pthread_mutex_unlock(&reg_mu);
	if (last)
		sodium_free(k);	/* wipes */
}

/*
 * The key context named by the URI's mdgkey handle, with a reference
 * taken, or NULL (logged) when there is no such parameter, it is not
 * exactly 16 hex digits, or no live context has that handle.
 */
static struct vfs_key *
key_from_uri(const char *zname)
{
	const char *s = zname ? sqlite3_uri_parameter(zname, "mdgkey") : NULL;
	uint64_t v = 0;
	struct vfs_key *k;

	if (s == NULL || *s == '\0') {
		log_error("store: %s opened on the encrypting VFS without a key "
		    "handle", zname ? zname : "(anonymous)");
		return NULL;
	}
	for (int i = 0; i < 16; i++) {
		int c = s[i], d;

		if (c >= '0' && c <= '9')
			d = c - '0';
		else if (c >= 'a' && c <= 'f')
			d = c - 'a' + 10;
		else
			d = -1;
		if (d < 0) {
			v = 0;
			break;
		}
		v = v << 4 | (uint64_t)d;
	}
	if (v == 0 || strlen(s) != 16) {
		log_error("store: %s: malformed key handle on the encrypting VFS",
		    zname);
		return NULL;
	}
	pthread_mutex_lock(&reg_mu);
	if ((k = reg_find_locked(v)) != NULL)
		k->refs++;
	pthread_mutex_unlock(&reg_mu);
	if (k == NULL)
		log_error("store: %s: unknown key handle on the encrypting VFS "
		    "(no such open store)", zname);
	return k;
}

int
vfs_key_uri(const struct vfs_key *k, char *out, size_t cap)
{
	int n = snprintf(out, cap, "mdgkey=%016llx",
	    (unsigned long long)k->handle);
	return n < 0 || (size_t)n >= cap ? ERR_RANGE : 0;
}

/* -------------------------------------------------------- page sealing */

static void
page_ad(const struct vfs_key *k, uint32_t pgno, uint8_t ad[20])
{
	memcpy(ad, k->dbid, 16);
	ad[16] = (uint8_t)(pgno >> 24);
	ad[17] = (uint8_t)(pgno >> 16);
	ad[18] = (uint8_t)(pgno >> 8);
	ad[19] = (uint8_t)pgno;
}

/* Seal the PS-byte plaintext page into ct (PS bytes). */
static void
page_seal(const struct vfs_key *k, uint32_t pgno, const uint8_t *pt,
    uint8_t *ct)
{
	uint8_t ad[20];
	uint8_t *nonce = ct + DATA_LEN, *tag = ct + DATA_LEN + NONCE_LEN;

	page_ad(k, pgno, ad);
	randombytes_buf(nonce, NONCE_LEN);
	crypto_aead_xchacha20poly1305_ietf_encrypt_detached(ct, tag, NULL,
	    pt, DATA_LEN, ad, sizeof(ad), NULL, nonce, k->pagekey);
}

/* Open the PS-byte sealed page ct into pt (PS bytes; the reserved tail is
 * zeroed).  0 or -1 when authentication fails (pt is then zeroed). */
static int
page_open(const struct vfs_key *k, uint32_t pgno, const uint8_t *ct,
    uint8_t *pt)
{
	uint8_t ad[20];

	page_ad(k, pgno, ad);
	if (crypto_aead_xchacha20poly1305_ietf_decrypt_detached(pt, NULL,
	    ct, DATA_LEN, ct + DATA_LEN + NONCE_LEN, ad, sizeof(ad),
	    ct + DATA_LEN, k->pagekey) != 0) {
		sodium_memzero(pt, PS);
		return -1;
	}
	memset(pt + DATA_LEN, 0, STORE_RESERVE);
	return 0;
}

static int
all_zero(const uint8_t *p, size_t n)
{
	uint8_t acc = 0;

	for (size_t i = 0; i < n; i++)
		acc |= p[i];
	return acc == 0;
}

static int
auth_failed(struct enc_file *f, uint32_t pgno)
{
	log_error("store: page %u of %s failed authentication "
	    "(tampered with, damaged, or the wrong key)", pgno,
	    f->path ? f->path : "(database)");
	return SQLITE_IOERR_DATA;
}

/*
 * Read and decrypt page pgno whose sealed image starts at file offset off.
 * Returns SQLITE_OK, SQLITE_IOERR_SHORT_READ (page beyond the end of the
 * file: pt zeroed), SQLITE_IOERR_DATA (not logged: see read_page), or an
 * I/O error.
 */
static int
read_sealed(struct enc_file *f, uint32_t pgno, sqlite3_int64 off, uint8_t *pt)
{
	int rc = f->real->pMethods->xRead(f->real, f->ct, PS, off);

	if (rc == SQLITE_IOERR_SHORT_READ && all_zero(f->ct, PS)) {
		memset(pt, 0, PS);
		return SQLITE_IOERR_SHORT_READ;
	}
	if (rc != SQLITE_OK && rc != SQLITE_IOERR_SHORT_READ)
		return rc;
	/* A short page (a truncated file) fails authentication below. */
	if (page_open(f->key, pgno, f->ct, pt) != 0)
		return SQLITE_IOERR_DATA;
	if (f->kind == F_WAL) {
		f->key->last_pgno = pgno;
		memcpy(f->key->last_ct, f->ct, PS);
		memcpy(f->key->last_pt, pt, DATA_LEN);
	}
	return SQLITE_OK;
}

/* read_sealed, with an authentication failure logged. */
static int
read_page(struct enc_file *f, uint32_t pgno, sqlite3_int64 off, uint8_t *pt)
{
	int rc = read_sealed(f, pgno, off, pt);

	return rc == SQLITE_IOERR_DATA ? auth_failed(f, pgno) : rc;
}

static uint32_t
get_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
}

/* The page number in the header of WAL frame `frame` (0-based). */
static int
wal_frame_pgno(struct enc_file *f, int64_t frame, uint32_t *pgno)
{
	uint8_t h[4];
	int rc;

	if (frame == f->hdr_frame) {
		*pgno = f->hdr_pgno;
		return SQLITE_OK;
	}
	rc = f->real->pMethods->xRead(f->real, h, 4,
	    WAL_HDR + frame * (sqlite3_int64)FRAME);
	if (rc != SQLITE_OK)
		return rc;
	*pgno = get_be32(h);
	if (*pgno == 0)
		return SQLITE_IOERR_DATA;
	return SQLITE_OK;
}

/*
 * Recovery found that WAL frame `frame` (0-based) with header hdr does not
 * authenticate.  1 when a later frame of the same generation (salts as in
 * hdr) is a commit frame, so this one was committed; 0 when none is (the
 * frame is the torn tail of an interrupted write); or an I/O error < 0.
 */
static int
wal_commit_after(struct enc_file *f, int64_t frame, const uint8_t hdr[FRAME_HDR])
{
	sqlite3_int64 size;
	uint8_t h[FRAME_HDR];

	if (f->real->pMethods->xFileSize(f->real, &size) != SQLITE_OK)
		return -1;
	for (int64_t j = frame + 1; WAL_HDR + (j + 1) * (sqlite3_int64)FRAME <= size;
	    j++) {
		if (f->real->pMethods->xRead(f->real, h, FRAME_HDR,
		    WAL_HDR + j * (sqlite3_int64)FRAME) != SQLITE_OK)
			return -1;
		if (memcmp(h + 8, hdr + 8, 8) == 0 && get_be32(h + 4) != 0)
			return 1;
	}
	return 0;
}

/*
 * A whole-frame read during recovery (off is a frame start, out FRAME
 * bytes): the rule in the header comment.
 */
static int
wal_recover_frame(struct enc_file *f, uint8_t *out, sqlite3_int64 off)
{
	int64_t frame = (off - WAL_HDR) / FRAME;
	uint8_t whdr[WAL_HDR];
	uint32_t pgno;
	int rc, later;

	rc = f->real->pMethods->xRead(f->real, out, FRAME_HDR, off);
	if (rc != SQLITE_OK) {
		memset(out, 0, FRAME);
		return rc;
	}
	pgno = get_be32(out);
	rc = pgno == 0 ? SQLITE_IOERR_DATA :
	    read_sealed(f, pgno, off + FRAME_HDR, out + FRAME_HDR);
	if (rc != SQLITE_IOERR_DATA)
		return rc;
	memset(out + FRAME_HDR, 0, PS);
	if ((rc = f->real->pMethods->xRead(f->real, whdr, WAL_HDR, 0)) != SQLITE_OK)
		return rc;
	if (memcmp(out + 8, whdr + 16, 8) != 0)
		return SQLITE_OK;	/* another generation: SQLite skips it */
	if ((later = wal_commit_after(f, frame, out)) < 0)
		return SQLITE_IOERR_READ;
	if (later)
		return auth_failed(f, pgno);
	log_warn("store: %s frame %lld is incomplete (an interrupted write); "
	    "the log ends at the last commit before it", f->path ? f->path :
	    "(wal)", (long long)frame + 1);
	/* Inverted salts: SQLite's walDecodeFrame rejects the frame, and so
	 * ends the log, whatever the checksum. */
	for (int i = 0; i < 8; i++)
		out[8 + i] = (uint8_t)~whdr[16 + i];
	return SQLITE_OK;
}

/* ----------------------------------------------- transient-file stream */

/* XOR [off, off+n) of a transient file with its XChaCha20 keystream. */
static void
temp_xor(struct enc_file *f, uint8_t *p, size_t n, sqlite3_int64 off)
{
	uint8_t ks[64];

	while (n > 0) {
		uint64_t blk = (uint64_t)off / 64;
		size_t boff = (size_t)((uint64_t)off % 64), take;

		if (boff == 0 && n >= 64) {
			take = n - n % 64;
			crypto_stream_xchacha20_xor_ic(p, p, take, f->tnonce, blk,
			    f->tkey);
		} else {
			take = 64 - boff < n ? 64 - boff : n;
			memset(ks, 0, sizeof(ks));
			crypto_stream_xchacha20_xor_ic(ks, ks, sizeof(ks),
			    f->tnonce, blk, f->tkey);
			for (size_t i = 0; i < take; i++)
				p[i] ^= ks[boff + i];
		}
		p += take;
		n -= take;
		off += (sqlite3_int64)take;
	}
	sodium_memzero(ks, sizeof(ks));
}

/* ------------------------------------------------------- io methods */

static int
enc_close(sqlite3_file *pf)
{
	struct enc_file *f = (struct enc_file *)pf;
	int rc = SQLITE_OK;

	if (f->real->pMethods != NULL)
		rc = f->real->pMethods->xClose(f->real);
	if (f->pt != NULL) {
		sodium_memzero(f->pt, PS);
		sqlite3_free(f->pt);
	}
	sqlite3_free(f->ct);
	sodium_memzero(f->tkey, sizeof(f->tkey));
	vfs_key_unref(f->key);
	f->key = NULL;
	return rc;
}

static int
main_read(struct enc_file *f, uint8_t *out, int amt, sqlite3_int64 off)
{
	int short_read = 0;

	while (amt > 0) {
		sqlite3_int64 pg = off / PS;
		int poff = (int)(off % PS);
		int take = PS - poff < amt ? PS - poff : amt;
		uint8_t *dst = (poff == 0 && take == PS) ? out : f->pt;
		int rc = read_page(f, (uint32_t)(pg + 1), pg * PS, dst);

		if (rc == SQLITE_IOERR_SHORT_READ)
			short_read = 1;
		else if (rc != SQLITE_OK)
			return rc;
		if (dst != out) {
			memcpy(out, f->pt + poff, (size_t)take);
			sodium_memzero(f->pt, PS);
		}
		out += take;
		amt -= take;
		off += take;
	}
	return short_read ? SQLITE_IOERR_SHORT_READ : SQLITE_OK;
}

static int
wal_read(struct enc_file *f, uint8_t *out, int amt, sqlite3_int64 off)
{
	int short_read = 0, rc;

	if (f->key->recovering && amt == FRAME && off >= WAL_HDR &&
	    (off - WAL_HDR) % FRAME == 0)
		return wal_recover_frame(f, out, off);
	while (amt > 0) {
		int take;

		if (off < WAL_HDR) {
			take = (int)(WAL_HDR - off) < amt ? (int)(WAL_HDR - off) : amt;
			rc = f->real->pMethods->xRead(f->real, out, take, off);
		} else {
			int64_t frame = (off - WAL_HDR) / FRAME;
			int rel = (int)((off - WAL_HDR) % FRAME);

			if (rel < FRAME_HDR) {
				take = FRAME_HDR - rel < amt ? FRAME_HDR - rel : amt;
				rc = f->real->pMethods->xRead(f->real, out, take, off);
			} else {
				int poff = rel - FRAME_HDR;
				uint8_t *dst;
				uint32_t pgno;

				take = PS - poff < amt ? PS - poff : amt;
				dst = (poff == 0 && take == PS) ? out : f->pt;
				rc = wal_frame_pgno(f, frame, &pgno);
				if (rc == SQLITE_IOERR_SHORT_READ) {
					memset(dst, 0, PS);
				} else if (rc == SQLITE_IOERR_DATA) {
					return auth_failed(f, 0);
				} else if (rc == SQLITE_OK) {
					rc = read_page(f, pgno, off - poff, dst);
				}
				if (rc == SQLITE_OK || rc == SQLITE_IOERR_SHORT_READ) {
					if (dst != out) {
						memcpy(out, f->pt + poff, (size_t)take);
						sodium_memzero(f->pt, PS);
					}
				}
			}
		}
		if (rc == SQLITE_IOERR_SHORT_READ)
			short_read = 1;
		else if (rc != SQLITE_OK)
			return rc;
		out += take;
		amt -= take;
		off += take;
	}
	return short_read ? SQLITE_IOERR_SHORT_READ : SQLITE_OK;
}

static int
temp_read(struct enc_file *f, uint8_t *out, int amt, sqlite3_int64 off)
{
	int rc = f->real->pMethods->xRead(f->real, out, amt, off);
	sqlite3_int64 size = 0;

	if (rc == SQLITE_OK) {
		temp_xor(f, out, (size_t)amt, off);
	} else if (rc == SQLITE_IOERR_SHORT_READ) {
		/* Decrypt only what exists; the rest stays zero as SQLite expects. */
		if (f->real->pMethods->xFileSize(f->real, &size) != SQLITE_OK)
			return SQLITE_IOERR_READ;
		if (size > off)
			temp_xor(f, out, (size_t)(size - off), off);
	}
	return rc;
}

static int
enc_read(sqlite3_file *pf, void *buf, int amt, sqlite3_int64 off)
{
	struct enc_file *f = (struct enc_file *)pf;

	switch (f->kind) {
	case F_MAIN: return main_read(f, buf, amt, off);
	case F_WAL: return wal_read(f, buf, amt, off);
	default: return temp_read(f, buf, amt, off);
	}
}

static int
main_write(struct enc_file *f, const uint8_t *in, int amt, sqlite3_int64 off)
{
	if (off % PS != 0 || amt % PS != 0) {
		log_error("store: refused a partial-page write (%d bytes at %lld) to %s",
		    amt, (long long)off, f->path ? f->path : "(database)");
		return SQLITE_IOERR_WRITE;
	}
	for (; amt > 0; amt -= PS, off += PS, in += PS) {
		uint32_t pgno = (uint32_t)(off / PS + 1);
		int rc;

		/* Page 1 byte 20 is the reserved-space size: a page written
		 * without room for nonce and tag would lose data to them. */
		if (pgno == 1 && in[20] < STORE_RESERVE) {
			log_error("store: database has %u reserved bytes, needs %d",
			    in[20], STORE_RESERVE);
			return SQLITE_IOERR_WRITE;
		}
		if (f->key->last_pgno == pgno &&
		    memcmp(f->key->last_pt, in, DATA_LEN) == 0) {
			/* A checkpoint copying the frame just read. */
			memcpy(f->ct, f->key->last_ct, PS);
		} else {
			page_seal(f->key, pgno, in, f->ct);
		}
		f->key->last_pgno = 0;
		rc = f->real->pMethods->xWrite(f->real, f->ct, PS, off);
		if (rc != SQLITE_OK)
			return rc;
	}
	return SQLITE_OK;
}

static int
wal_write(struct enc_file *f, const uint8_t *in, int amt, sqlite3_int64 off)
{
	int rc;

	while (amt > 0) {
		int take;

		if (off < WAL_HDR) {
			take = (int)(WAL_HDR - off) < amt ? (int)(WAL_HDR - off) : amt;
			rc = f->real->pMethods->xWrite(f->real, in, take, off);
		} else {
			int64_t frame = (off - WAL_HDR) / FRAME;
			int rel = (int)((off - WAL_HDR) % FRAME);

			if (rel < FRAME_HDR) {
				take = FRAME_HDR - rel < amt ? FRAME_HDR - rel : amt;
				if (rel == 0 && take >= 4) {
					f->hdr_frame = frame;
					f->hdr_pgno = get_be32(in);
				}
				/* A commit frame only after every earlier
				 * frame is on disk (header comment). */
				if (rel == 0 && take >= 8 && get_be32(in + 4) != 0 &&
				    f->unsynced) {
					rc = f->real->pMethods->xSync(f->real,
					    SQLITE_SYNC_NORMAL);
					if (rc != SQLITE_OK)
						return rc;
					f->unsynced = 0;
				}
				rc = f->real->pMethods->xWrite(f->real, in, take, off);
			} else {
				uint32_t pgno;

				take = PS;
				if (rel != FRAME_HDR || amt < PS) {
					log_error("store: refused a partial WAL page write");
					return SQLITE_IOERR_WRITE;
				}
				if ((rc = wal_frame_pgno(f, frame, &pgno)) != SQLITE_OK)
					return rc == SQLITE_IOERR_SHORT_READ ?
					    SQLITE_IOERR_WRITE : rc;
				if (pgno == 1 && in[20] < STORE_RESERVE)
					return SQLITE_IOERR_WRITE;
				page_seal(f->key, pgno, in, f->ct);
				rc = f->real->pMethods->xWrite(f->real, f->ct, PS, off);
				f->unsynced = 1;
			}
		}
		if (rc != SQLITE_OK)
			return rc;
		in += take;
		amt -= take;
		off += take;
	}
	return SQLITE_OK;
}

static int
temp_write(struct enc_file *f, const uint8_t *in, int amt, sqlite3_int64 off)
{
	while (amt > 0) {
		int take = amt < PS ? amt : PS;
		int rc;

		memcpy(f->ct, in, (size_t)take);
		temp_xor(f, f->ct, (size_t)take, off);
		rc = f->real->pMethods->xWrite(f->real, f->ct, take, off);
		if (rc != SQLITE_OK)
			return rc;
		in += take;
		amt -= take;
		off += take;
	}
	return SQLITE_OK;
}

static int
enc_write(sqlite3_file *pf, const void *buf, int amt, sqlite3_int64 off)
{
	struct enc_file *f = (struct enc_file *)pf;

	switch (f->kind) {
	case F_MAIN: return main_write(f, buf, amt, off);
	case F_WAL: return wal_write(f, buf, amt, off);
	default: return temp_write(f, buf, amt, off);
	}
}

static int
enc_truncate(sqlite3_file *pf, sqlite3_int64 size)
{
	struct enc_file *f = (struct enc_file *)pf;

	if (f->hdr_frame >= 0 && WAL_HDR + f->hdr_frame * (int64_t)FRAME >= size)
		f->hdr_frame = -1;
	return f->real->pMethods->xTruncate(f->real, size);
}

static int
enc_sync(sqlite3_file *pf, int flags)
{
	struct enc_file *f = (struct enc_file *)pf;
	int rc = f->real->pMethods->xSync(f->real, flags);

	if (rc == SQLITE_OK)
		f->unsynced = 0;
	return rc;
}

static int
enc_file_size(sqlite3_file *pf, sqlite3_int64 *size)
{
	struct enc_file *f = (struct enc_file *)pf;
	return f->real->pMethods->xFileSize(f->real, size);
}

static int
enc_lock(sqlite3_file *pf, int lock)
{
	struct enc_file *f = (struct enc_file *)pf;
	return f->real->pMethods->xLock(f->real, lock);
}

static int
enc_unlock(sqlite3_file *pf, int lock)
{
	struct enc_file *f = (struct enc_file *)pf;
	return f->real->pMethods->xUnlock(f->real, lock);
}

static int
enc_check_reserved_lock(sqlite3_file *pf, int *out)
{
	struct enc_file *f = (struct enc_file *)pf;
	return f->real->pMethods->xCheckReservedLock(f->real, out);
}

static int
enc_file_control(sqlite3_file *pf, int op, void *arg)
{
	struct enc_file *f = (struct enc_file *)pf;

	/* Memory-mapped reads would bypass decryption. */
	if (op == SQLITE_FCNTL_MMAP_SIZE) {
		if (arg != NULL)
			*(sqlite3_int64 *)arg = 0;
		return SQLITE_OK;
	}
	return f->real->pMethods->xFileControl(f->real, op, arg);
}

static int
enc_sector_size(sqlite3_file *pf)
{
	struct enc_file *f = (struct enc_file *)pf;
	return f->real->pMethods->xSectorSize(f->real);
}

static int
enc_device_characteristics(sqlite3_file *pf)
{
	struct enc_file *f = (struct enc_file *)pf;
	/* Never claim atomic batch writes: every page goes through xWrite. */
	return f->real->pMethods->xDeviceCharacteristics(f->real) &
	    ~SQLITE_IOCAP_BATCH_ATOMIC;
}

static int
enc_shm_map(sqlite3_file *pf, int pg, int pgsz, int extend, void volatile **pp)
{
	struct enc_file *f = (struct enc_file *)pf;
	return f->real->pMethods->xShmMap(f->real, pg, pgsz, extend, pp);
}

static int
enc_shm_lock(sqlite3_file *pf, int offset, int n, int flags)
{
	struct enc_file *f = (struct enc_file *)pf;
	int rc = f->real->pMethods->xShmLock(f->real, offset, n, flags);

	/* Slot 2 is SQLite's WAL_RECOVER_LOCK: held exclusively only by
	 * walIndexRecover while it rebuilds the index from the WAL. */
	if (rc == SQLITE_OK && f->key != NULL && offset <= 2 && 2 < offset + n) {
		if (flags == (SQLITE_SHM_LOCK | SQLITE_SHM_EXCLUSIVE))
			f->key->recovering = 1;
		else if (flags & SQLITE_SHM_UNLOCK)
			f->key->recovering = 0;
	}
	return rc;
}

static void
enc_shm_barrier(sqlite3_file *pf)
{
	struct enc_file *f = (struct enc_file *)pf;
	f->real->pMethods->xShmBarrier(f->real);
}

static int
enc_shm_unmap(sqlite3_file *pf, int del)
{
	struct enc_file *f = (struct enc_file *)pf;
	return f->real->pMethods->xShmUnmap(f->real, del);
}

/* Version 2: the shared-memory methods for WAL, but no xFetch (mmap). */
static const sqlite3_io_methods enc_io = {
	2,
	enc_close,
	enc_read,
	enc_write,
	enc_truncate,
	enc_sync,
	enc_file_size,
	enc_lock,
	enc_unlock,
	enc_check_reserved_lock,
	enc_file_control,
	enc_sector_size,
	enc_device_characteristics,
	enc_shm_map,
	enc_shm_lock,
	enc_shm_barrier,
	enc_shm_unmap,
	NULL,
	NULL,
};

/* ---------------------------------------------------------- the VFS */

static sqlite3_vfs *
base_vfs(sqlite3_vfs *v)
{
	return (sqlite3_vfs *)v->pAppData;
}

static int
enc_open(sqlite3_vfs *v, const char *zname, sqlite3_file *pf, int flags,
    int *out_flags)
{
	struct enc_file *f = (struct enc_file *)pf;
	sqlite3_vfs *b = base_vfs(v);
	int type = flags & 0x0FFFFF00 & ~(SQLITE_OPEN_CREATE |
	    SQLITE_OPEN_EXCLUSIVE | SQLITE_OPEN_DELETEONCLOSE |
	    SQLITE_OPEN_READONLY | SQLITE_OPEN_READWRITE | SQLITE_OPEN_URI |
	    SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_FULLMUTEX |
	    SQLITE_OPEN_SHAREDCACHE | SQLITE_OPEN_PRIVATECACHE |
	    SQLITE_OPEN_NOFOLLOW | SQLITE_OPEN_EXRESCODE);
	int rc;

	memset(f, 0, sizeof(*f));
	f->real = (sqlite3_file *)(f + 1);
	f->hdr_frame = -1;
	f->path = zname;
	if (type & (SQLITE_OPEN_MAIN_DB | SQLITE_OPEN_WAL)) {
		f->kind = (type & SQLITE_OPEN_WAL) ? F_WAL : F_MAIN;
		if ((f->key = key_from_uri(zname)) == NULL)
			return SQLITE_CANTOPEN;
	} else if (type & (SQLITE_OPEN_MAIN_JOURNAL | SQLITE_OPEN_SUPER_JOURNAL)) {
		/* A rollback journal holds original page images; the store
		 * runs in WAL mode and never needs one.  Refuse rather than
		 * write pages in the clear. */
		log_error("store: refused to open a rollback journal (WAL mode only)");
		return SQLITE_CANTOPEN;
	} else {
		f->kind = F_TEMP;
		randombytes_buf(f->tkey, sizeof(f->tkey));
		randombytes_buf(f->tnonce, sizeof(f->tnonce));
	}
	f->ct = sqlite3_malloc(PS);
	f->pt = sqlite3_malloc(PS);
	if (f->ct == NULL || f->pt == NULL) {
		sqlite3_free(f->ct);
		sqlite3_free(f->pt);
		vfs_key_unref(f->key);
		return SQLITE_NOMEM;
	}
	rc = b->xOpen(b, zname, f->real, flags, out_flags);
	if (rc != SQLITE_OK) {
		sqlite3_free(f->ct);
		sqlite3_free(f->pt);
		f->ct = f->pt = NULL;
		vfs_key_unref(f->key);
		f->key = NULL;
		return rc;
	}
	pf->pMethods = &enc_io;
	return SQLITE_OK;
}

static int
enc_delete(sqlite3_vfs *v, const char *zname, int sync_dir)
{
	return base_vfs(v)->xDelete(base_vfs(v), zname, sync_dir);
}

static int
enc_access(sqlite3_vfs *v, const char *zname, int flags, int *out)
{
	return base_vfs(v)->xAccess(base_vfs(v), zname, flags, out);
}

static int
enc_full_pathname(sqlite3_vfs *v, const char *zname, int n, char *out)
{
	return base_vfs(v)->xFullPathname(base_vfs(v), zname, n, out);
}

static void *
enc_dlopen(sqlite3_vfs *v, const char *zname)
{
	(void)v;
	(void)zname;
	return NULL;	/* no loadable extensions in the store */
}

static void
enc_dlerror(sqlite3_vfs *v, int n, char *msg)
{
	(void)v;
	if (n > 0)
		snprintf(msg, (size_t)n, "extensions are disabled");
}

static void (*enc_dlsym(sqlite3_vfs *v, void *h, const char *sym))(void)
{
	(void)v;
	(void)h;
	(void)sym;
	return NULL;
}

static void
enc_dlclose(sqlite3_vfs *v, void *h)
{
	(void)v;
	(void)h;
}

static int
enc_randomness(sqlite3_vfs *v, int n, char *out)
{
	(void)v;
	randombytes_buf(out, (size_t)n);
	return n;
}

static int
enc_sleep(sqlite3_vfs *v, int us)
{
	return base_vfs(v)->xSleep(base_vfs(v), us);
}

static int
enc_current_time(sqlite3_vfs *v, double *t)
{
	return base_vfs(v)->xCurrentTime(base_vfs(v), t);
}

static int
enc_get_last_error(sqlite3_vfs *v, int n, char *msg)
{
	return base_vfs(v)->xGetLastError(base_vfs(v), n, msg);
}

static int
enc_current_time_int64(sqlite3_vfs *v, sqlite3_int64 *t)
{
	return base_vfs(v)->xCurrentTimeInt64(base_vfs(v), t);
}

/*
 * SQLite keeps a pointer to the registered VFS for the life of the process,
 * so the VFS object is necessarily static; it is filled in exactly once
 * (pthread_once) and never changed afterwards.
 */
static sqlite3_vfs enc_vfs;
static pthread_once_t enc_once = PTHREAD_ONCE_INIT;
static int enc_reg_rc = SQLITE_ERROR;

static void
enc_register_once(void)
{
	sqlite3_vfs *b;

	if (sodium_init() < 0 || sqlite3_initialize() != SQLITE_OK)
		return;
	if ((b = sqlite3_vfs_find("unix")) == NULL)
		b = sqlite3_vfs_find(NULL);
	if (b == NULL || b->iVersion < 2)
		return;
	enc_vfs.iVersion = 2;
	enc_vfs.szOsFile = (int)sizeof(struct enc_file) + b->szOsFile;
	enc_vfs.mxPathname = b->mxPathname;
	enc_vfs.zName = STORE_VFS_NAME;
	enc_vfs.pAppData = b;
	enc_vfs.xOpen = enc_open;
	enc_vfs.xDelete = enc_delete;
	enc_vfs.xAccess = enc_access;
	enc_vfs.xFullPathname = enc_full_pathname;
	enc_vfs.xDlOpen = enc_dlopen;
	enc_vfs.xDlError = enc_dlerror;
	enc_vfs.xDlSym = enc_dlsym;
	enc_vfs.xDlClose = enc_dlclose;
	enc_vfs.xRandomness = enc_randomness;
	enc_vfs.xSleep = enc_sleep;
	enc_vfs.xCurrentTime = enc_current_time;
	enc_vfs.xGetLastError = enc_get_last_error;
	enc_vfs.xCurrentTimeInt64 = enc_current_time_int64;
	enc_reg_rc = sqlite3_vfs_register(&enc_vfs, 0);
}

int
store_vfs_register(struct err *e)
{
	pthread_once(&enc_once, enc_register_once);
	if (enc_reg_rc != SQLITE_OK)
		return err_set(e, ERR_CRYPTO, "cannot register the encrypting VFS");
	return 0;
}

/* ------------------------------------------------ decrypted page scans */

/* Read exactly n bytes at off; 1 when read, 0 at or past the end. */
static int
pread_full(int fd, uint8_t *p, size_t n, off_t off)
{
	size_t got = 0;

	while (got < n) {
		ssize_t k = pread(fd, p + got, n - got, off + (off_t)got);

		if (k <= 0)
			return 0;
		got += (size_t)k;
	}
	return 1;
}

int
store_vfs_pages(const char *path, const uint8_t key[STORE_KEY_LEN],
    int (*fn)(const uint8_t *pt, size_t n, uint32_t pgno, int wal, void *arg),
    void *arg, long *bad, struct err *e)
{
	struct vfs_key k;
	uint8_t *ct = NULL, *pt = NULL;
	char wal[4200];
	int fd, r = 0;

	*bad = 0;
	if (sodium_init() < 0)
		return err_set(e, ERR_CRYPTO, "libsodium initialisation failed");
	memset(&k, 0, sizeof(k));
	crypto_kdf_derive_from_key(k.pagekey, sizeof(k.pagekey), 1, "mdgstore", key);
	crypto_kdf_derive_from_key(k.dbid, sizeof(k.dbid), 2, "mdgstore", key);
	if ((ct = malloc(PS)) == NULL || (pt = sodium_malloc(PS)) == NULL) {
		r = err_set(e, ERR_NOMEM, "out of memory");
		goto out;
	}
	/* The database: page n at (n - 1) * PS. */
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
		r = err_set(e, ERR_IO, "%s: cannot open", path);
		goto out;
	}
	for (uint32_t pg = 1; r == 0 && pread_full(fd, ct, PS, (off_t)(pg - 1) * PS); pg++) {
		if (all_zero(ct, PS))
			continue;
		if (page_open(&k, pg, ct, pt) != 0)
			(*bad)++;
		else
			r = fn(pt, DATA_LEN, pg, 0, arg);
	}
	close(fd);
	/* The WAL: every frame, the ones a checkpoint already copied too. */
	snprintf(wal, sizeof(wal), "%s-wal", path);
	if (r == 0 && (fd = open(wal, O_RDONLY | O_CLOEXEC)) >= 0) {
		uint8_t h[FRAME_HDR];

		for (off_t off = WAL_HDR; r == 0 && pread_full(fd, h, FRAME_HDR, off) &&
		    pread_full(fd, ct, PS, off + FRAME_HDR); off += FRAME) {
			uint32_t pg = (uint32_t)h[0] << 24 | (uint32_t)h[1] << 16 |
			    (uint32_t)h[2] << 8 | h[3];

			if (page_open(&k, pg, ct, pt) != 0)
				(*bad)++;
			else
				r = fn(pt, DATA_LEN, pg, 1, arg);
		}
		close(fd);
	}
out:
	sodium_memzero(&k, sizeof(k));
	free(ct);
	if (pt != NULL)
		sodium_free(pt);
	return r;
}
