/*
 * visit.h — what a clerk does for every visitor before anything else (part
 * of the app module; no ncurses): the identity check at the window (F2;
 * REQUIREMENTS ID-1, ID-2, ID-3, ID-6, SC-1, LOG-1) and the record lookup
 * (F3; SC-1, SC-4, SC-5, SC-6, AC-6, LOG-1, LOG-3, NET-5), and the "current
 * visit" that ties them to the applications taken in afterwards.
 *
 * The current visit (struct visit) is: the identity-check record saved in
 * the store (ID-1), the person it was linked to (or the person picked in
 * the lookup before the check), and for agent visits the agent, the 委任状
 * and the agent's own identity check (ID-2).  The intake workflow (F4)
 * reads it through visit_ready() / visit_agent_json() and stores
 * visit->idcheck.uuid in application.idcheck; it never changes it.
 *
 * Nothing here keeps a PIN.  The full 個人番号 read from a card lives only
 * in the card module's sodium memory (struct card_result) while the check
 * runs; a struct visit holds the masked form only.
 */
#ifndef MDG_VISIT_H
#define MDG_VISIT_H

#include <stddef.h>
#include <stdint.h>

#include "core.h"
#include "card.h"
#include "store.h"

/* ================================================ identity documents */

/*
 * The documents a clerk may tick on the identity-check screen besides the
 * IC read, from madoguchi.conf [card] id_documents (municipalities differ:
 * KAWASAKI drops the 通知カード path, ID-1).  Format: entries separated by
 * ',', each "code:ラベル[:kind]" where code is an ASCII word stored in the
 * identity-check record, ラベル the text on the checklist, and kind one of
 *   number  confirms the 個人番号 (番号確認: 通知カード, 住民票の写し(番号付))
 *   photo   confirms identity on its own (身元確認: 運転免許証, 旅券, ...)
 *   both    does both (マイナンバーカード shown without reading)
 *   other   needs a second document (健康保険証, 年金手帳, ...)
 * (default kind: photo).  The IC read itself is not in the list.
 */
#define IDDOC_MAX 24
#define IDDOC_CODE_MAX 32
#define IDDOC_LABEL_MAX 96

enum iddoc_kind { IDDOC_PHOTO = 0, IDDOC_NUMBER = 1, IDDOC_BOTH = 2, IDDOC_OTHER = 3 };

struct iddoc {
	char code[IDDOC_CODE_MAX];
	char label[IDDOC_LABEL_MAX];
	enum iddoc_kind kind;
};

struct iddoc_list {
	int n;
	struct iddoc v[IDDOC_MAX];
};

/* The built-in default of [card] id_documents. */
extern const char iddoc_default[];
/* Parse a list (the config value); "" gives an empty list.  Duplicate
 * codes, empty labels, unknown kinds and too many entries are ERR_FORMAT
 * with the reason. */
int iddoc_parse(const char *text, struct iddoc_list *out, struct err *e);
/* Entry by code, or NULL. */
const struct iddoc *iddoc_find(const struct iddoc_list *l, const char *code);
/* An identity-check record as the clerk reads it, in Japanese: the method
 * and the documents ("カード読取（暗証番号）", "書類（運転免許証、…）"), labels
 * from docs (NULL: the built-in list); an unknown code is shown as is. */
void idcheck_text_ja(const struct idcheck *ic, const struct iddoc_list *docs, char *out,
    size_t cap);
/*
 * Is a set of ticked documents (without an IC read) enough for 番号確認
 * and 身元確認?  0 when it is; ERR_INVAL with a Japanese reason otherwise
 * (no number document; a single "other" document).  checked[i] is for
 * l->v[i].
 */
int iddoc_sufficient(const struct iddoc_list *l, const int *checked,
    int ic_read, struct err *e);
/* An agent's visit (番号法 第16条, 施行規則): 代理権 (委任状) and the agent's
 * 身元確認 are the agent's record; of the absent principal only the 番号確認
 * is needed (a number document, also a copy), not a photo ID.  0 when a
 * number document is ticked; ERR_INVAL with a Japanese reason otherwise. */
int iddoc_number_only(const struct iddoc_list *l, const int *checked, struct err *e);

/* ============================================== card vs. the record */

/* The 基本4情報 items, compared one by one (ID-3, SC-4). */
enum idc_item { IDC_NAME = 0, IDC_ADDRESS, IDC_BIRTH, IDC_SEX, IDC_NITEMS };

/* Outcome of finding the person for a card read (ID-3, ID-6). */
enum idc_match {
	IDC_NOT_CHECKED = 0,
	IDC_MATCHED,		/* person found by the card's 個人番号 */
	IDC_NO_PERSON,		/* no person holds that number: nothing linked */
	IDC_NUMBER_MISMATCH,	/* the person (same 氏名+生年月日, or the one
				 * picked in the lookup) holds a different
				 * number: nothing linked, logged (ID-3, ID-6) */
	IDC_NO_NUMBER		/* the read gave no valid number */
};

struct idc_compare {
	int differs[IDC_NITEMS];	/* 1 when card and record differ */
	int ndiff;
};

/* Compare the card's 基本4情報 with the record.  Names and addresses are
 * compared after width/space normalisation (全角/半角, spaces ignored), so
 * "山田 太郎" and "山田太郎" are the same; any other difference counts. */
void idc_compare(const struct card_result *card, const struct person *p,
    struct idc_compare *out);
/* Japanese item names ("氏名", "住所", "生年月日", "性別"). */
const char *idc_item_name(enum idc_item i);
/* "男" "女" "適用不能" "不明" for ISO 5218. */
const char *sex_name_ja(int sex);

/* ================================================== the current visit */

struct visit_agent {
	int present;			/* 代理人による来庁 */
	char name[128];			/* 代理人氏名 */
	char kana[128];
	int birth;			/* yyyymmdd, 0 = not recorded */
	char address[256];
	char relation[64];		/* 本人との関係 */
	int proxy_letter;		/* 委任状 confirmed */
	int in_household;		/* relation confirmed from household data:
					 * 1 yes, 0 no, -1 not checked */
	char idcheck[37];		/* the agent's own identity check */
	char documents[256];		/* codes of the agent's documents */
};

struct visit {
	int active;			/* a visitor is at the window */
	char clerk[STORE_NAME_MAX];	/* whose visit: another clerk starts over */
	char started_at[32];
	/* The identity check (ID-1): uuid "" until saved. */
	struct idcheck idcheck;
	enum idc_match match;
	struct idc_compare cmp;
	char masked_number[MYNUMBER_MASKED_LEN];	/* of the card, masked */
	/* The card's 個人番号 once the identity check matched it with the
	 * record through the blind index (ID-3): what card.mynumber prefills,
	 * since a clerk without view-mynumber cannot open the stored one
	 * (issue 15).  Wiped with the visit. */
	char card_number[MYNUMBER_LEN + 1];
	/* The person the visit is for (from the check or the lookup).  linked
	 * is 1 only when the identity check confirmed this person. */
	struct person person;
	int have_person;
	int linked;
	struct visit_agent agent;	/* ID-2 */
};

/* Start a new visit for the clerk (discards the previous one). */
void visit_begin(struct visit *v, const char *clerk);
/* End the visit: wipe everything personal. */
void visit_end(struct visit *v);
/* The visit belongs to this clerk and is active. */
int visit_is_for(const struct visit *v, const char *clerk);
/* Set the person picked in the lookup (not linked: no identity check). */
void visit_set_person(struct visit *v, const struct person *p);

/*
 * May applications be taken in for this visit?  0 when an identity check
 * has been saved and linked to v->person (ID-1) and, when an agent came,
 * the agent is recorded with 委任状 and the agent's own identity check
 * (ID-2).  Otherwise ERR_STATE with a Japanese reason for the clerk.
 */
int visit_ready(const struct visit *v, struct err *e);
/* The agent as a JSON object for application.agent_json (ID-2), or
 * nothing (w unchanged, returns 0) when no agent came. */
int visit_agent_json(const struct visit *v, struct wbuf *w);

/* =========================================== the identity-check record */

/* What the identity-check screen collected. */
struct idcheck_input {
	const struct card_result *card;	/* NULL: no IC read */
	const struct iddoc_list *docs;
	const int *checked;		/* checked[i] for docs->v[i] (may be NULL) */
	const char *note;		/* clerk's note, may be NULL (no 個人番号!) */
};

/*
 * After a card read: find the person by the card's 個人番号 and compare
 * (fills v->match, v->cmp, v->masked_number, v->person/linked).  A number
 * that matches nobody is IDC_NO_PERSON, unless a person with the card's
 * 氏名 and 生年月日 exists, or the visit already has a person from the
 * lookup: then their stored number is compared and a difference is
 * IDC_NUMBER_MISMATCH.  Nothing is linked unless IDC_MATCHED.  Every
 * outcome is an audit row (idcheck.read / idcheck.nomatch /
 * idcheck.mismatch) with the person concerned; no number is in any row.
 */
int visit_card_check(struct visit *v, struct store *st,
    const struct card_result *card, struct err *e);

/*
 * Save the identity-check record (method, documents, clerk, time, person,
 * digest results; no PIN, no 個人番号) and its audit row ("idcheck.save"),
 * and queue it in the outbox (kind "idcheck") for the central.  With a card
 * read the person must be matched (else ERR_STATE: nothing is linked,
 * ID-3); without one the documents must be sufficient (iddoc_sufficient)
 * and v->person set from the lookup.  On success v->idcheck is the saved
 * record and v->linked = 1.
 */
int visit_idcheck_save(struct visit *v, struct store *st,
    const struct idcheck_input *in, struct err *e);

/* Record the agent's identity check and the 委任状 (ID-2): the agent's
 * documents must confirm the agent's identity (身元確認: a photo document,
 * or two others; the number is the person's, confirmed by the person's own
 * check), the 委任状 confirmed unless
 * the agent is in the person's household (then the relation is checked
 * against the household data).  Saves the agent's own identity-check
 * record and an audit row ("idcheck.agent"). */
int visit_agent_save(struct visit *v, struct store *st,
    const struct iddoc_list *docs, const int *checked, struct err *e);

/* ============================================================ lookup */

/* What the clerk may type into the search form (SC-6). */
enum lookup_field {
	LF_KANA = 0,		/* 氏名カナ or 通称名カナ, prefix */
	LF_NAME,		/* 氏名 / 通称名 / alphabet name, substring */
	LF_BIRTH,		/* 生年月日, 和暦 or 西暦 */
	LF_ATENA,		/* 宛名番号 */
	LF_RECIPIENT,		/* 受給者番号 */
	LF_MYNUMBER,		/* 個人番号: search permission only */
	LF_COUNT
};

struct lookup_criteria {
	char kana[128];			/* normalised (katakana, no spaces) */
	char name[128];
	int birth;			/* yyyymmdd */
	char atena[16];
	char recipient[32];
	char mynumber[13];		/* wiped by lookup_criteria_clear */
};

/* Japanese label of a field ("氏名カナ", ...). */
const char *lookup_field_label(enum lookup_field f);
/*
 * Parse what was typed into field f and store it in c.  Empty text clears
 * the field.  Kana: hiragana, katakana (full or half width) and spaces only.
 * Birth: date_parse (和暦 R7.4.1 / 令和7年4月1日 / 西暦).  宛名番号: digits.
 * 受給者番号: letters and digits.  個人番号: only when the account may
 * search by it (ERR_PERM), 12 digits with a correct check digit before any
 * search runs (ERR_FORMAT, ID-4).  Errors carry a Japanese reason and
 * leave the field as it was (a 個人番号 field is cleared).
 */
int lookup_criteria_set(struct lookup_criteria *c, enum lookup_field f,
    const char *typed, const struct account *a, struct err *e);
int lookup_criteria_empty(const struct lookup_criteria *c);
/* Which criteria are used, as "kana+birth" (for the audit row; never a
 * value). */
void lookup_criteria_kinds(const struct lookup_criteria *c, char *out,
    size_t cap);
void lookup_criteria_clear(struct lookup_criteria *c);

/* ------------------------------------------------------- freshness */

/* NET-5: the age of the local data against [sync] stale_warn/stale_block. */
enum lookup_fresh { FRESH_OK = 0, FRESH_UNKNOWN, FRESH_WARN, FRESH_BLOCK };

struct lookup_freshness {
	enum lookup_fresh state;
	long age_s;			/* -1 when the as-of time is unknown */
	char as_of[32];			/* ISO time of the data, or "" */
};

/* Pure rule: age = now - as_of (seconds); block 0 disables blocking.
 * as_of < 0 (never synced, no load time) is FRESH_UNKNOWN: warned, never
 * blocked (the data came from the local load, see madoguchi(1)). */
enum lookup_fresh lookup_fresh_rule(long now, long as_of, long warn_s,
    long block_s);
/* The as-of time of the store (sync cursor time, else the setting
 * "data.as_of") and the rule applied to it at `now`. */
int lookup_freshness(struct store *st, long now, long warn_s, long block_s,
    struct lookup_freshness *out, struct err *e);
/* A Japanese line for the status line and the detail view
 * ("データ基準 R7.4.1 09:30（3時間前）— 古いデータです"). */
void lookup_freshness_text(const struct lookup_freshness *f, char *out,
    size_t cap);
/* Parse "2025-04-01T09:30:00+0900" to seconds since the epoch (-1). */
long lookup_parse_time(const char *iso);

/* The one date-time style on screen (when.c, issue 19): 和暦 date and the
 * 24-hour time in [ui] timezone (default Asia/Tokyo).  WHEN_LONG
 * "令和8年12月3日 14:05", WHEN_SHORT "R8.12.3 14:05" (tables), WHEN_DATE
 * "令和8年12月3日", WHEN_SHORT_DATE "R8.12.3".  An unreadable time is "日時不明". */
enum when_style { WHEN_LONG, WHEN_SHORT, WHEN_DATE, WHEN_SHORT_DATE };
/* Take the zone's offset (NULL or "": Asia/Tokyo); call before threads. */
int when_zone_set(const char *tz);
long when_zone_offset(void);
void when_text(const char *iso, enum when_style style, char *out, size_t cap);
void when_epoch_text(long t, enum when_style style, char *out, size_t cap);
/* yyyymmdd in 和暦 (WHEN_SHORT "R8.12.3", otherwise "令和8年12月3日"). */
void when_ymd_text(int ymd, enum when_style style, char *out, size_t cap);
/* "14:05" now, in the zone. */
void when_now_hhmm(char out[8]);

/* ---------------------------------------------------------- search */

#define LOOKUP_PAGE 50

struct lookup_result {
	struct person_list list;	/* one page, ordered by kana */
	size_t offset;			/* of the first row */
	int more;			/* rows after this page */
	size_t total;			/* found in all (issue 19) */
};

/*
 * Run a search as the logged-in account: refused with the reason when the
 * data is past stale_block (ERR_STATE, NET-5), when no criterion is given
 * (ERR_INVAL), or when a 個人番号 is given without the search permission
 * (ERR_PERM, AC-6).  One audit row "lookup.search" per search (LOG-1): the
 * kinds of criteria and the count, the person concerned when exactly one
 * row is found; never the values.  Persons with DV/不開示 flags come back
 * with their address blanked (SC-5); the list never has a 個人番号 (SC-1).
 */
int lookup_search(struct store *st, const struct lookup_criteria *c,
    size_t offset, const struct lookup_freshness *fresh,
    struct lookup_result *out, struct err *e);
void lookup_result_free(struct lookup_result *r);

/* Is the person's address withheld (DV support / 不開示, SC-5)? */
int person_restricted(const struct person *p);
/* The address as the account may see it: "（DV等支援措置のため非表示）" for
 * a restricted person. */
const char *person_address_shown(const struct person *p);
/* The cells of a result row (SC-1: no 個人番号).  Birth gives both
 * calendars: "S60.4.12 (1985-04-12)". */
void person_birth_text(int ymd, char *out, size_t cap);

/* --------------------------------------------------------- detail */

struct person_detail {
	struct person p;		/* the address blanked when restricted */
	char address_real[256];		/* empty unless not restricted */
	char number_shown[16];		/* masked unless view_mynumber; "" none */
	struct person_list household;	/* addresses of restricted members blank */
	struct cert_list certs;		/* only procedures the account may see */
	struct application_list apps;	/* the same */
	struct lookup_freshness fresh;
	int restricted;
	int can_change;			/* some visible procedure is 更新可 */
};

/*
 * Open a record (LOG-1: audit row "lookup.view", or "lookup.view.restricted"
 * for a DV/不開示 person, whose warning the caller must have shown and the
 * clerk acknowledged: ack_restricted must be 1, else ERR_STATE).  The
 * 個人番号 is filled unmasked only for accounts with view_mynumber, and
 * that viewing is its own audit row ("mynumber.view").
 */
int lookup_open(struct store *st, const char *atena, int ack_restricted,
    const struct lookup_freshness *fresh, struct person_detail *out,
    struct err *e);
void person_detail_free(struct person_detail *d);
/* Re-read d's applications (after an intake or a review on the open
 * record).  No audit row: the opening that made d was the audited view. */
int lookup_reload_apps(struct store *st, struct person_detail *d, struct err *e);

/* AC-6: may the account see / change this procedure? */
int lookup_proc_visible(const struct account *a, const char *procedure);
int lookup_proc_writable(const struct account *a, const char *procedure);
/* Ward (区) name of a ward code ("01" → "北区" in the demo city); the code
 * itself when unknown. */
const char *ward_name_ja(const char *code);
/* Japanese name of a procedure code ("kokuho" → "国民健康保険"); the code
 * itself when unknown. */
const char *procedure_name_ja(const char *code);

/* ------------------------------------------------- who viewed whom */

/* LOG-3: the audit rows about a person (newest first, at most limit;
 * 0 = 1000).  *v malloc'd, free(*v).  Administrators only (ERR_PERM);
 * the query itself is an audit row ("audit.person"). */
int lookup_audit_person(struct store *st, const char *atena, size_t limit,
    struct audit_row **v, size_t *n, struct err *e);
/* Japanese text of an audit action ("lookup.view" → "記録照会"). */
const char *audit_action_ja(const char *action);

#endif
