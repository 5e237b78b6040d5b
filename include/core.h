/*
 * core.h — bytes and text: errors, the bounded reader and writer, BER-TLV,
 * UTF-8 and display width, kana normalisation, 和暦 dates, the 個人番号 check
 * digit, configuration files, JSON, logging and process hardening.
 *
 * Everything else in madoguchi depends on this module and nothing here
 * depends on anything else (libc only).  Conventions used by every module:
 *
 *  - Functions return 0 (or a non-negative count) on success and a negative
 *    ERR_* code on failure, and fill a caller-supplied struct err.  The
 *    struct err argument may be NULL when the caller does not want a message.
 *  - err.msg is English for operators' logs; err_ja() gives the Japanese
 *    text for the clerk.
 *  - Outside bytes are read only through struct rbuf; a read past the end
 *    is ERR_SHORT, never undefined behaviour.
 */
#ifndef MDG_CORE_H
#define MDG_CORE_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

/* ---------------------------------------------------------------- errors */

enum {
	ERR_INVAL    = -1,	/* invalid argument or value */
	ERR_NOMEM    = -2,	/* out of memory */
	ERR_IO       = -3,	/* system call failed */
	ERR_SHORT    = -4,	/* input ended early (truncated) */
	ERR_FORMAT   = -5,	/* malformed input */
	ERR_RANGE    = -6,	/* value out of range, too long, overflow */
	ERR_NOTFOUND = -7,
	ERR_EXISTS   = -8,
	ERR_AUTH     = -9,	/* wrong password / PIN / key */
	ERR_PERM     = -10,	/* not permitted for this account */
	ERR_CRYPTO   = -11,	/* authentication of ciphertext failed */
	ERR_CORRUPT  = -12,	/* stored data damaged or tampered with */
	ERR_CARD     = -13,	/* card or reader error */
	ERR_NET      = -14,	/* network error */
	ERR_TIMEOUT  = -15,
	ERR_STATE    = -16,	/* not allowed in the current state */
	ERR_LOCKED   = -17,	/* account or card locked/blocked */
	ERR_CANCEL   = -18,	/* cancelled by the user */
	ERR_BUSY     = -19,
	ERR_PROTO    = -20,	/* protocol violation by a peer */
};

#define ERR_MSG_MAX 256

struct err {
	int code;
	char msg[ERR_MSG_MAX];	/* English, for logs; never a secret */
	char ja[ERR_MSG_MAX];	/* Japanese for the clerk; "" = generic by code */
};

/* Set code and an English message; clears ja.  Returns code.  e may be NULL. */
int err_set(struct err *e, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* The same with a Japanese message for the clerk (ja is not a format). */
int err_set_ja(struct err *e, int code, const char *ja, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* Prepend context to msg ("file:12: " + msg).  Returns e->code. */
int err_prefix(struct err *e, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void err_clear(struct err *e);
/* Japanese text for the clerk: e->ja if set, else a generic one for e->code. */
const char *err_ja(const struct err *e);
/* "ERR_SHORT" etc. */
const char *err_name(int code);

/* ------------------------------------------------------- bounded reader */

struct rbuf {
	const uint8_t *p;
	size_t len;
	size_t off;
};

void rbuf_init(struct rbuf *b, const void *p, size_t len);
size_t rbuf_left(const struct rbuf *b);
const uint8_t *rbuf_cur(const struct rbuf *b);
/* Big-endian integers.  On error nothing is consumed and *v is untouched. */
int rbuf_get_u8(struct rbuf *b, uint8_t *v);
int rbuf_get_u16(struct rbuf *b, uint16_t *v);
int rbuf_get_u32(struct rbuf *b, uint32_t *v);
int rbuf_get_u64(struct rbuf *b, uint64_t *v);
/* Copy n bytes out. */
int rbuf_get(struct rbuf *b, void *out, size_t n);
/* Point at the next n bytes without copying. */
int rbuf_get_view(struct rbuf *b, size_t n, const uint8_t **p);
/* A reader over the next n bytes (consumed from b). */
int rbuf_get_sub(struct rbuf *b, size_t n, struct rbuf *sub);
int rbuf_skip(struct rbuf *b, size_t n);
/* Length-prefixed block: prefix is 1, 2 or 4 bytes big-endian; a length
 * greater than max is ERR_RANGE (nothing consumed). */
int rbuf_get_lp(struct rbuf *b, unsigned prefix, size_t max,
    const uint8_t **p, size_t *n);
/* One text line up to '\n' (consumed, not included; a trailing '\r' is
 * dropped).  The last line may lack '\n'.  ERR_SHORT at end of input. */
int rbuf_get_line(struct rbuf *b, const char **line, size_t *n);

/* ---------------------------------------------------------------- BER-TLV */

struct tlv {
	uint32_t tag;		/* as written: 0x5A, 0xDF21, 0xFF20, 0x7F21 */
	int constructed;	/* bit 6 of the first tag byte */
	const uint8_t *val;	/* points into the input */
	size_t len;
	size_t total;		/* tag + length + value bytes */
};

/* Read one BER-TLV element: tags of 1 to 3 bytes, lengths short form or
 * 81 xx / 82 xx xx / 83 xx xx xx.  Indefinite length (80) and a value that
 * runs past the end are errors.  Nothing is consumed on error. */
int rbuf_get_tlv(struct rbuf *b, struct tlv *t);
/* Find the first element with this tag among the elements of p (one level). */
int tlv_find(const uint8_t *p, size_t n, uint32_t tag, struct tlv *out);

/* ------------------------------------------------------- bounded writer */

struct wbuf {
	uint8_t *p;
	size_t len;
	size_t cap;
	size_t max;		/* growth limit */
	int fixed;		/* caller's storage: never reallocated */
	int err;		/* sticky: first error; later puts do nothing */
};

/* Heap buffer that grows up to max bytes (0 = 64 MiB). */
void wbuf_init(struct wbuf *w, size_t max);
/* Caller's storage of cap bytes. */
void wbuf_init_fixed(struct wbuf *w, void *mem, size_t cap);
int wbuf_put(struct wbuf *w, const void *p, size_t n);
int wbuf_put_u8(struct wbuf *w, uint8_t v);
int wbuf_put_u16(struct wbuf *w, uint16_t v);
int wbuf_put_u32(struct wbuf *w, uint32_t v);
int wbuf_put_u64(struct wbuf *w, uint64_t v);
int wbuf_put_lp(struct wbuf *w, unsigned prefix, const void *p, size_t n);
/* BER-TLV with the shortest length form. */
int wbuf_put_tlv(struct wbuf *w, uint32_t tag, const void *val, size_t n);
int wbuf_printf(struct wbuf *w, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* NUL-terminate without counting the NUL in len; returns w->p as a string. */
const char *wbuf_str(struct wbuf *w);
/* Wipe and release a heap buffer (a fixed one is wiped only). */
void wbuf_free(struct wbuf *w);

/* ------------------------------------------------------ UTF-8 and width */

/* Decode one code point; returns the bytes used (1-4) or ERR_FORMAT for an
 * invalid, overlong, surrogate or truncated sequence. */
int utf8_decode(const char *s, size_t n, uint32_t *cp);
/* Encode; returns the length (1-4) or ERR_RANGE. */
int utf8_encode(uint32_t cp, char out[4]);
/* 1 when all n bytes are valid UTF-8. */
int utf8_valid(const char *s, size_t n);
/* Number of code points, or ERR_FORMAT. */
int utf8_count(const char *s, size_t n);
/* Terminal columns of one code point: 0 combining/zero-width, 2 East Asian
 * wide and fullwidth, 1 otherwise, -1 for control characters. */
int cp_width(uint32_t cp);
/* Columns of a string; invalid bytes and controls count 1 each. */
int utf8_width(const char *s, size_t n);
/* How many bytes of s fit in maxw columns without splitting a character;
 * *w (may be NULL) receives their width. */
size_t utf8_cut(const char *s, size_t n, int maxw, int *w);

/* ------------------------------------------- text to terminals and files */

/* C0, DEL, C1, bidi embeddings/overrides/isolates and marks, U+2028/2029
 * (not private-use characters: 外字 are kept). */
int cp_is_control(uint32_t cp);
/* Offset of the first control or invalid byte in s[0..n), or -1; *cp (may
 * be NULL) receives it (an invalid byte as 0x80000000 | byte). */
long text_find_control(const char *s, size_t n, uint32_t *cp);
/* s with every control shown as a visible escape (\x1b, \u202e, \n) and
 * invalid bytes as \xNN, cut to whole pieces within cap; returns the
 * length.  The one function CLI output of outside text goes through. */
size_t text_visible(const char *s, char *out, size_t cap);
/* text_visible into a growing buffer. */
int text_put_visible(struct wbuf *w, const char *s);
/* One quoted CSV cell, controls visible, and a cell that begins with = + -
 * @ tab or CR prefixed with ' so that a spreadsheet shows it as text. */
int csv_put_cell(struct wbuf *w, const char *s);

/* ----------------------------------------------------- kana normalisation */

/* Search key: half-width katakana to full-width (ｶﾞ→ガ, ﾊﾟ→パ), hiragana to
 * katakana, full-width ASCII to ASCII, ideographic space and runs of white
 * space to one space, trimmed.  Idempotent.  out needs n+1 bytes; returns
 * the output length or ERR_FORMAT for invalid UTF-8. */
int kana_normalize(const char *in, size_t n, char *out, size_t outcap);
/* Addresses (addr.c): one spelling for the same place — full-width digits
 * and dashes folded, spaces dropped, 一丁目 → 1丁目, 1丁目3番8号 → 1-3-8 —
 * so that １２－７ equals 12-7 and 1丁目3-8 equals 1-3-8, while a real
 * difference stays.  Returns the length or ERR_FORMAT / ERR_RANGE. */
int addr_normalize(const char *in, char *out, size_t cap);
int addr_same(const char *a, const char *b);
/* Names as searched (namefold.c): blanks (also U+3000) removed and common
 * 異体字 folded to one form (齋/齊/斉→斎, 邊/邉→辺, 髙→高, 﨑→崎, ...;
 * the table, after IPA's MJ縮退マップ, is name_fold_pairs, ended by NULL).
 * Returns the length, or ERR_RANGE when out is too small. */
int name_fold(const char *in, char *out, size_t cap);
extern const char *const name_fold_pairs[][2];

/* ------------------------------------------------------------------ dates */

struct date {
	int y, m, d;		/* Gregorian */
};

int date_valid(int y, int m, int d);
/* Parse 和暦 (R7.4.1, R07.04.01, 令和7年4月1日, 令和元年5月1日, H31.4.30, S64.1.7,
 * M/T/S/H/R and 明治/大正/昭和/平成/令和) or 西暦 (2025-04-01, 2025/4/1,
 * 20250401, 2025年4月1日).  Surrounding space and full-width digits are
 * accepted.  Dates that do not exist in the era are refused with the
 * reason (e.g. 平成31年5月1日 is 令和元年). */
int date_parse(const char *s, struct date *out, struct err *e);
/* "2025-04-01" */
int date_format_iso(const struct date *d, char *out, size_t cap);
/* "令和7年4月1日" (元年 for year 1).  These return the length, or ERR_INVAL
 * for an invalid date and ERR_RANGE when out is too small or the date has
 * no 和暦 (before 1873-01-01, or an era year above 99). */
int date_format_wareki(const struct date *d, char *out, size_t cap);
/* "R7.4.1" */
int date_format_wareki_short(const struct date *d, char *out, size_t cap);
/* Days since 1970-01-01 (may be negative) and back. */
long date_to_days(const struct date *d);
void date_from_days(long days, struct date *out);
/* yyyymmdd as an integer, and back (0 / ERR_INVAL for invalid). */
int date_to_ymd(const struct date *d);
int date_from_ymd(int ymd, struct date *out);
/* Today in local time. */
void date_today(struct date *out);
/* Completed years of age on `on` (年齢計算ニ関スル法律: a 29 February birthday
 * is reached on 1 March in common years).  -1 if on is before birth. */
int date_age(const struct date *birth, const struct date *on);
/* The Japanese fiscal year (April to March) that d falls in: 2025-04-01 and
 * 2026-03-31 are both 2025. */
int date_fiscal_year(const struct date *d);
int date_cmp(const struct date *a, const struct date *b);

/* ------------------------------------------------------------- 個人番号 */

#define MYNUMBER_LEN 12
#define MYNUMBER_MASKED_LEN 15	/* "**** **** 9012" + NUL */

/* Check digit of the first 11 digits (番号法施行令 第8条): 0-9, or ERR_FORMAT
 * when s is not 11 ASCII digits. */
int mynumber_check_digit(const char *first11);
/* Exactly 12 ASCII digits with a correct check digit; 0 or ERR_FORMAT with
 * the reason (the number itself never appears in the message). */
int mynumber_validate(const char *s, size_t n, struct err *e);
/* "**** **** 9012"; the input need not be valid (anything else gives
 * "**** **** ****"). */
void mynumber_mask(const char *s, size_t n, char out[MYNUMBER_MASKED_LEN]);

/* ---------------------------------------------------------- configuration */

enum conf_type { CONF_STR, CONF_INT, CONF_BOOL };

struct conf_key {
	const char *section;	/* "store", "card", "sync", "ui", ... */
	const char *key;
	enum conf_type type;
	long min, max;		/* CONF_INT range; CONF_STR max length (0 = 1024) */
	const char *def;	/* default as text, NULL = unset */
	const char *help;	/* one line, for --help and the man page */
};

struct conf;

/* schema: array ended by an entry with key == NULL; must outlive the conf. */
struct conf *conf_new(const struct conf_key *schema);
void conf_free(struct conf *c);
/* `key = value` lines, `# comment` lines, `[section]` headers.  Unknown
 * sections or keys, bad values and duplicates are errors "file:line: reason". */
int conf_load(struct conf *c, const char *path, struct err *e);
int conf_parse(struct conf *c, const char *name, const char *text, size_t n,
    struct err *e);
/* Set one value as if read from a file (validated). */
int conf_set(struct conf *c, const char *section, const char *key,
    const char *value, struct err *e);
/* Values (defaults when unset).  Asking for a key not in the schema aborts:
 * that is a programming error, not a user error. */
const char *conf_str(const struct conf *c, const char *section, const char *key);
long conf_int(const struct conf *c, const char *section, const char *key);
int conf_bool(const struct conf *c, const char *section, const char *key);
int conf_is_set(const struct conf *c, const char *section, const char *key);
/* The line a value was set on (0: the default, or set by conf_set), for a
 * caller's own "file:line: reason" about a value the type cannot check. */
int conf_line(const struct conf *c, const char *section, const char *key);

/* ------------------------------------------------------------------- JSON */

/* A small strict JSON (RFC 8259) reader and writer for form values, export
 * files and messages.  Parsing is bounded (depth, size) and goes through
 * struct rbuf: at most 16 MiB of input, 64 levels of nesting and 2^20
 * values; strings must be valid UTF-8 (\u escapes, surrogate pairs
 * included, are decoded to UTF-8); duplicate member names and U+0000 in a
 * member name are refused.  A string value may hold U+0000: use slen.
 * Numbers are doubles.  json_parse gives a tree the caller frees with
 * json_free; on error *out is NULL and e says what and at which offset. */

enum json_type { JSON_NULL, JSON_BOOL, JSON_NUM, JSON_STR, JSON_ARR, JSON_OBJ };

struct json {
	enum json_type type;
	int b;			/* JSON_BOOL */
	double num;		/* JSON_NUM */
	char *str;		/* JSON_STR (NUL-terminated UTF-8), or NULL */
	size_t slen;
	char *key;		/* member name when inside an object */
	struct json *child;	/* first element / member */
	struct json *next;	/* next sibling */
};

int json_parse(const char *s, size_t n, struct json **out, struct err *e);
void json_free(struct json *j);
/* Member of an object by name, or NULL. */
const struct json *json_get(const struct json *obj, const char *key);
/* String value of a member, or NULL when absent or not a string. */
const char *json_get_str(const struct json *obj, const char *key);
/* Writer helpers: a quoted, escaped JSON string (controls, '"', '\\' and
 * U+2028/2029 escaped).  Invalid UTF-8 is refused with ERR_FORMAT, which
 * also becomes w's sticky error, so no half-written JSON goes out. */
int json_put_str(struct wbuf *w, const char *s, size_t n);

/* ---------------------------------------------------------------- misc */

/* Random UUID v4 in canonical form (36 chars + NUL), from getrandom(). */
int uuid_v4(char out[37]);
/* Fill with random bytes (getrandom); 0 or ERR_IO. */
int rand_bytes(void *p, size_t n);
/* Constant-time comparison: 0 when equal. */
int ct_memcmp(const void *a, const void *b, size_t n);
/* Wipe memory the compiler may not optimise away. */
void mem_wipe(void *p, size_t n);
/* Hex encode (out gets 2n+1) and decode (returns bytes or ERR_FORMAT). */
void hex_encode(const void *p, size_t n, char *out);
int hex_decode(const char *s, size_t slen, void *out, size_t cap);

/* The wall clock in seconds since the epoch; every module reads the time
 * through it.  Test builds (MDG_TEST_CLOCK, set for MODE=san and fuzz) take
 * it from MDG_TEST_NOW when set: epoch seconds, "YYYY-MM-DDTHH:MM:SSZ", or
 * "@FILE" naming a file holding either, read at every call.  Release builds
 * never read the variable (src/core/clock.c). */
int64_t mdg_now(void);
/* 1 when a test clock is in force (never in a release build). */
int mdg_clock_is_test(void);

/* Disable core dumps and mark the process non-dumpable (SPEC 4).  Called
 * first thing by every program that handles personal data or keys. */
int proc_harden(struct err *e);

/* --------------------------------------------------------------- logging */

/* Operator log: English, one line each, timestamped.  Never a PIN, a key,
 * a password or a full 個人番号 (use mynumber_mask).  The logger is the one
 * piece of process-wide state: programs open it once in main(). */
enum { LOG_ERR = 0, LOG_WARN = 1, LOG_INFO = 2, LOG_DEBUG = 3 };

/* path NULL: standard error.  Returns 0 or ERR_IO. */
int log_open(const char *ident, const char *path, int level);
void log_close(void);
void log_msg(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
#define log_error(...) log_msg(LOG_ERR, __VA_ARGS__)
#define log_warn(...)  log_msg(LOG_WARN, __VA_ARGS__)
#define log_info(...)  log_msg(LOG_INFO, __VA_ARGS__)
#define log_debug(...) log_msg(LOG_DEBUG, __VA_ARGS__)

#endif
