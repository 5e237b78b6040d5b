/*
 * intake.h — taking applications in at the counter and following them until
 * they are decided (part of the app module; no ncurses): the intake flow
 * (F4), the receipt slip (受付票) and its printing, review with four eyes,
 * corrections, the ledger (受付簿) with its status history, 進達 batches, the
 * overdue report and the inquiry / disclosure-request log.
 * REQUIREMENTS INT-1..INT-11, ID-1, ID-2, ID-6, AC-6, AC-7, DATA-3, LK-3,
 * LOG-1.
 *
 * Every function here works on an open store as its logged-in account, so
 * that the screens (src/ui/scr-*.c) and the commands (cmd-ledger.c, ...)
 * share one set of rules.  Every change is an audit row with the person
 * concerned and never carries a value of the form (LOG-1, LOG-5).
 */
#ifndef MDG_INTAKE_H
#define MDG_INTAKE_H

#include <stddef.h>

#include "core.h"
#include "screen.h"
#include "store.h"
#include "visit.h"

/* ============================================================ intake */

/* AC-6: may the account take in applications of this procedure
 * (更新・参照可)? */
int intake_may_enter(const struct account *a, const char *procedure);
/* The screens the account may take in, as indexes into set (in set order):
 * fills idx[0..max-1], returns the count. */
int intake_menu(const struct screen_set *set, const struct account *a,
    int *idx, int max);
/* The F4 filter (issue 19): 1 when typed (kana in either script or width,
 * or kanji; blanks ignored) is part of the screen's title, its 事務's name
 * or its "kana" reading; an empty filter keeps every screen. */
int intake_menu_match(const struct screen *s, const char *typed);
/* The procedures the visit's saved applications suggest (the "suggest"
 * lines of madoguchi-screen(5)), as indexes into set: only screens in
 * menu[0..nmenu-1] (the clerk may take them in), not already saved
 * (saved[0..nsaved-1] are screen ids) and whose conditions the person
 * meets on `today`; each once, in the order of the saved screens' lines.
 * Returns the count (at most max). */
int intake_suggest(const struct screen_set *set, const int *menu, int nmenu,
    const char *const *saved, int nsaved, const struct person *p,
    const struct date *today, int *out, int max);

/* Fill the form's prefill fields (person.*, card.*, clerk.name, today)
 * from the visit's person record.  The 個人番号 (card.mynumber,
 * person.mynumber) is filled from the store only when the visit's identity
 * check linked the person (the card's number matched the stored one).
 * A value the field's own checks refuse (an age outside the screen's
 * range, say) is left empty: returns how many were refused, e (may be
 * NULL) says why for the first one. */
int intake_prefill(struct form *f, struct store *st, const struct visit *v,
    struct err *e);
/* Within one visit the next form offers what the previous one took
 * (issue 19): the empty fields of `to` named like a field of `from` among
 * the contact, account, insurance and guardian fields (phone, bank_code,
 * branch_code, account_*, insurance_kind, insurer_no, ins_*, guardian,
 * guardian_relation) get its value when `to` accepts it.  Returns how many
 * were filled; `to` stays not dirty (nothing typed yet). */
int intake_carry(struct form *to, const struct form *from);

struct intake_result {
	char uuid[37];
	char receipt_no[32];
};

/*
 * Save one filled form as an application of the visit.  Refused unless:
 * the account may enter the procedure (ERR_PERM, AC-6); the visit is ready
 * (visit_ready) and its identity-check record — and for an agent the
 * agent's own record — really is in the store for this person (ERR_STATE,
 * ID-1, ID-2); the purpose-of-use notice was acknowledged when the screen
 * has one (ERR_STATE, INT-7); the form validates; the applicant's
 * 個人番号 on the form (a mynumber field prefilled from card.mynumber or
 * person.mynumber) is the one the store holds for the person, when it
 * holds one (ERR_STATE, ID-3; the refusal is an audit row).
 * In one transaction: the application (receipt number "<terminal>-<date>-
 * <seq>", status received, form values, agent, identity check, entered-by,
 * time), its outbox entry for the central and the audit row
 * "application.save".  When this returns 0 the application is committed.
 */
int intake_save(struct store *st, const struct visit *v, const struct form *f,
    int purpose_ack, struct intake_result *out, struct err *e);

/* ============================================================ slip */

struct receipt_item {
	char receipt_no[32];
	char title[SCREEN_TEXT_MAX];	/* the screen's title */
	char procedure[SCREEN_ID_MAX];
};

struct receipt_info {
	const char *municipality;	/* [terminal] municipality */
	const char *branch;		/* [terminal] branch */
	const char *terminal;		/* terminal id */
	const char *date;		/* "2025-04-01" or NULL = today */
	const char *time;		/* "14:05" (local), or NULL: not printed */
	const char *applicant;		/* 申請者 name ("… 様"), or NULL */
	const char *contact;		/* [terminal] contact (問い合わせ先), or NULL */
};

/*
 * The 受付票 as text (UTF-8, lines of at most 40 columns): the applicant's
 * name (申請者 … 様), receipt numbers and procedures, 受付日時 in 和暦 with
 * the 24-hour local time, branch, what happens next per procedure and the
 * 問い合わせ先.  Never a 個人番号 nor any form value: the text is refused (ERR_INVAL) if it holds
 * a run of 12 or more digits (receipt_has_digit_run).
 */
int receipt_slip(const struct receipt_item *items, int n,
    const struct receipt_info *info, struct wbuf *w, struct err *e);
/* 1 when s has a run of at least `run` ASCII or full-width digits. */
int receipt_has_digit_run(const char *s, int run);
/*
 * Send text to the print command (run with /bin/sh -c, the text on its
 * standard input, output discarded).  "" = no printer: ERR_NOTFOUND.  A
 * command that fails or exits non-zero is ERR_IO with the reason.  Waits
 * at most 30 s.  Does not touch the store (may run on a worker thread).
 */
int receipt_print_run(const char *command, const char *text, struct err *e);
/* LK-3: the audit row of a print attempt ("print.receipt" or
 * "print.failed", detail: what and how many, never the text). */
int receipt_print_audit(struct store *st, const char *person,
    const char *what, int ok, struct err *e);

/* ============================================ status names, the ledger */

/* Japanese name of a stored status ("received" → "受付", "review" →
 * "確認済", "forwarded" → "進達", "decided" → "決定", "issued" → "交付",
 * "rejected" → "却下", "returned" → "返戻", "withdrawn" → "取下げ"). */
const char *ledger_status_ja(const char *status);
/* The stored word for a Japanese or English status name, or NULL. */
const char *ledger_status_parse(const char *s);
/*
 * May an application go from status `from` to `to` by hand (the ledger)?
 * received→withdrawn; review→withdrawn; returned→received (resubmitted),
 * returned→withdrawn; forwarded→decided/rejected/returned; decided→issued.
 * received→review is review_confirm's, review→forwarded a batch's,
 * →returned review_return's.
 */
int ledger_transition_ok(const char *from, const char *to);
/* Set a status by hand (ledger_transition_ok, write permission on the
 * procedure), with history row, outbox entry and audit row.  Going back to
 * received from returned records the resubmission.  取下げ (withdrawn) needs
 * two people (issue 14): the first call records the request and returns
 * LEDGER_WITHDRAW_ASKED (audited); the same account again is ERR_PERM; a
 * different account's call withdraws it, the audit row naming both. */
#define LEDGER_WITHDRAW_ASKED 1
int ledger_set_status(struct store *st, const char *uuid, const char *to,
    const char *note, struct err *e);

struct ledger_query {
	const char *status;		/* stored word, NULL = any */
	const char *procedure;		/* NULL = any */
	int from, to;			/* yyyymmdd of reception, 0 = open */
	const char *atena;		/* NULL = any */
};
/* Applications by reception time, only procedures the account may see
 * (AC-6).  out is application_list_free'd by the caller. */
int ledger_list(struct store *st, const struct ledger_query *q,
    struct application_list *out, struct err *e);

/* ============================================ review and corrections */

/* The review queue: applications entered (or corrected) and not yet
 * confirmed, of procedures the account may see, oldest first.  Those the
 * account entered itself are included (they are shown, but confirming
 * them is refused). */
int review_queue(struct store *st, struct application_list *out,
    struct err *e);
/*
 * Confirm an application (AC-7): the account must have the reviewer role
 * (ERR_PERM); confirming one's own entry or one's own correction is
 * refused (ERR_PERM); a pending 個人番号 change must be decided first
 * (ERR_STATE).  Status received → review (確認済), confirmed_by set,
 * corrections marked confirmed, outbox and audit rows.
 */
int review_confirm(struct store *st, const char *uuid, struct err *e);
/* 返戻 (INT-10): give the application back with a reason and a
 * resubmission deadline (yyyymmdd, not in the past).  Reviewer role or
 * write permission on the procedure. */
int review_return(struct store *st, const char *uuid, const char *reason,
    int deadline, struct err *e);

/*
 * Correct one field of a saved application (DATA-3): status received,
 * review or returned; write permission on the procedure; the new value is
 * checked by the screen's rules (screen = the application's screen).  The
 * old value, the new one, who and when are kept; the application needs a
 * new confirmation by someone else (status back to received).  A changed
 * 個人番号 (a mynumber field) is not applied: it goes to the confirmation
 * queue (ID-6) and *queued is set to 1.
 */
int intake_correct(struct store *st, const struct screen *screen,
    const char *uuid, const char *field, const char *value,
    const char *reason, int *queued, struct err *e);
/* Decide a queued 個人番号 change (a different person, AC-7); approving
 * applies it as a correction confirmed by the decider. */
int review_decide_change(struct store *st, const struct screen_set *set,
    int64_t id, int approve, struct err *e);

/* ============================================================ batches */

/* Japanese name of a batch method ("carry" 搬送, "post" 郵送), and back. */
const char *batch_method_ja(const char *method);
const char *batch_method_parse(const char *s);
/*
 * Create a 進達 batch of confirmed applications (INT-9): reviewer role
 * (ERR_PERM); every application confirmed and in no other batch.  Outbox
 * and audit rows.  b->id, b->count are filled in.
 */
int batch_make(struct store *st, struct batch *b, const char *const *uuids,
    size_t n, struct err *e);
/* The printable transmittal list (送付書) of a batch: header, one numbered
 * line per document, and the count, which must equal the batch's recorded
 * count (else ERR_CORRUPT).  Titles come from the screens when known. */
int batch_transmittal(struct store *st, const struct screen_set *set,
    const char *id, struct wbuf *w, struct err *e);

/* ============================================================ reports */

/* INT-10 limits in days ([intake] overdue_days ...). */
struct overdue_limits {
	int forward_days;	/* received/confirmed but not forwarded */
	int decide_days;	/* forwarded but not decided */
	int handover_days;	/* decided (certificate here) but not handed over */
};

enum overdue_kind {
	OD_NOT_FORWARDED = 0,	/* 未進達 */
	OD_NOT_DECIDED,		/* 未決定 */
	OD_NOT_HANDED_OVER,	/* 未交付 */
	OD_RESUBMIT_LATE	/* 返戻の再提出期限切れ */
};

struct overdue_row {
	enum overdue_kind kind;
	char uuid[37];
	char receipt_no[32];
	char procedure[STORE_NAME_MAX];
	char type[STORE_NAME_MAX];
	char atena[16];
	char status[16];
	int since;		/* yyyymmdd the current status began */
	int days;		/* days since then (or past the deadline) */
	int deadline;		/* OD_RESUBMIT_LATE: the deadline */
};

/* Japanese name of a kind ("未進達", ...). */
const char *overdue_kind_ja(enum overdue_kind k);
/* The overdue applications as of today (yyyymmdd), oldest first within
 * each kind; *v malloc'd.  Only procedures the account may see. */
int report_overdue(struct store *st, int today, const struct overdue_limits *lim,
    struct overdue_row **v, size_t *n, struct err *e);

/* INT-11: receive an inquiry / disclosure request (audit row
 * "inquiry.add"), and record its response ("inquiry.respond"). */
const char *inquiry_kind_ja(const char *kind);
const char *inquiry_kind_parse(const char *s);
int inquiry_receive(struct store *st, struct inquiry *q, struct err *e);
int inquiry_answer(struct store *st, const char *no, const char *response,
    struct err *e);

/* ============================================ command-line rights (AC-6) */

/* Which rows a command may show (src/app/rights.c has the table). */
enum cli_rows {
	CLI_ROWS_PROCEDURE,		/* of procedures the account may read */
	CLI_ROWS_OWN_OR_SUPERVISOR,	/* reviewer/admin all, others their own */
	CLI_ROWS_BATCH,			/* batches wholly of readable procedures */
};
struct cli_right {
	const char *cmd, *sub;		/* sub NULL = every subcommand */
	enum cli_rows rows;
};
/* The table entry of a command, or NULL (which shows nothing). */
const struct cli_right *cli_right(const char *cmd, const char *sub);
/* read or write permission on the procedure */
/* DATA-5, issue 14: may the logged-in account see the sensitive items of
 * procedure: its permission entry has the sensitive flag, or it is an
 * administrator, or it holds the right sensitive:PROC's key. */
int cli_may_see_sensitive(const struct store *st, const char *procedure);
int cli_may_read(const struct account *a, const char *procedure);
/* 1 when every application of batch id is of a procedure the user may
 * read, 0 when not, negative on error. */
int cli_batch_visible(struct store *st, const char *id, struct err *e);
/* May the logged-in account see this row under rule r?  (procedure,
 * received_by and batch as the rule needs them, others NULL.) */
int cli_row_ok(struct store *st, const struct cli_right *r,
    const char *procedure, const char *received_by, const char *batch);

#endif
