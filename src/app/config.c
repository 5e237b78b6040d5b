/*
 * config.c — the keys of madoguchi.conf(5).  Every key a module reads is
 * declared here with its type, range and default; the man page lists them.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "app.h"
#include "store.h"
#include "card.h"
#include "visit.h"

const struct conf_key app_conf_schema[] = {
	{ "terminal", "municipality", CONF_STR, 0, 64, "", "municipality name shown on the status line" },
	{ "terminal", "branch", CONF_STR, 0, 64, "", "branch (窓口) name shown on the status line" },
	{ "terminal", "id", CONF_STR, 0, 16, "", "terminal ID, also the prefix of receipt numbers" },
	{ "terminal", "second_factor", CONF_STR, 0, 16, "optional", "second factor at login (AC-5): required (every account gives its TOTP code; one not enrolled is refused until `madoguchi user totp`), optional (the accounts that enrolled) or off (the demo)" },
	{ "terminal", "second_factor_relock", CONF_INT, 0, 1440, "60", "minutes after the last code when unlocking the screen (F12) asks for the code again besides the password (0: every unlock)" },
	{ "terminal", "contact", CONF_STR, 0, 200, "", "問い合わせ先 printed on the 受付票 (office, telephone, hours)" },
	{ "store", "dir", CONF_STR, 0, 1024, MDG_DEFAULT_STORE, "directory of the encrypted store and its key slots" },
	{ "store", "cache_mb", CONF_INT, 2, 4096, "64", "decrypted page cache of the session's connection, MiB (speed against how long decrypted pages stay in RAM)" },
	{ "store", "password_max_age", CONF_INT, 0, 3650, "0", "days after which a password must be changed at the next login (0: no ageing; AC-4)" },
	{ "card", "reader", CONF_STR, 0, 256, "", "PC/SC reader name to use (empty: first reader with a card)" },
	{ "card", "jpki_roots", CONF_STR, 0, 1024, "", "PEM file of J-LIS JPKI root certificates for the offline chain check of the 利用者証明用 certificate (empty: unverifiable)" },
	{ "card", "trust_anchors", CONF_STR, 0, 1024, "", "file of issuer (CA) public keys the card data is verified against: lines KEYID EXPONENT MODULUS in hex (empty: none, every card is unverifiable; issue 11)" },
	{ "card", "id_documents", CONF_STR, 0, 1024, iddoc_default, "identity documents on the F2 checklist: code:label[:photo|number|both|other], comma-separated (ID-1)" },
	{ "sync", "interval", CONF_INT, 10, 86400, "180", "seconds between background synchronisations" },
	{ "sync", "stale_warn", CONF_INT, 0, 31536000, "900", "seconds after the last sync when lookups warn that the data is old (0: never; NET-5)" },
	{ "sync", "stale_block", CONF_INT, 0, 31536000, "259200", "seconds after the last sync when lookups are refused (0: never; NET-5)" },
	{ "sync", "central", CONF_STR, 0, 255, "", "central address HOST:PORT (empty: the one saved by madoguchi enroll)" },
	{ "sync", "central_key", CONF_STR, 0, 64, "", "central public key, 64 hex digits, pinned (empty: the one saved by madoguchi enroll)" },
	{ "ui", "lock_after", CONF_INT, 5, 86400, "300", "seconds of inactivity before the screen locks" },
	{ "ui", "screens", CONF_STR, 0, 1024, MDG_SCREENS_DIR, "directory of the application screens (*.screen, madoguchi-screen(5))" },
	{ "ui", "login_note", CONF_STR, 0, 256, "", "a line shown under the login form (e.g. the demo accounts)" },
	{ "ui", "log", CONF_STR, 0, 1024, "", "operator log while the screens run (empty: madoguchi.log in the store directory)" },
	{ "ui", "print_command", CONF_STR, 0, 1024, "lp", "command that prints receipt slips and transmittal lists, text on its standard input (empty: show on screen; LK-3)" },
	{ "ui", "graphics", CONF_STR, 0, 16, "auto", "images on the identity screen (顔写真, 氏名/住所): auto, symbols, sixel or none" },
	{ "ui", "timezone", CONF_STR, 0, 64, "Asia/Tokyo", "time zone of the dates and times on the screens and slips (the store and logs keep ISO times)" },
	{ "intake", "resubmit_days", CONF_INT, 1, 365, "14", "default resubmission deadline of a returned application (返戻), in days (INT-10)" },
	{ "intake", "overdue_days", CONF_INT, 1, 3650, "7", "days after which a received application not yet forwarded is overdue (INT-10)" },
	{ "intake", "decide_days", CONF_INT, 1, 3650, "30", "days after which a forwarded application not yet decided is overdue (INT-10)" },
	{ "intake", "handover_days", CONF_INT, 1, 3650, "14", "days after which a decided certificate not yet handed over is overdue (INT-10)" },
	{ "intake", "forward_to", CONF_STR, 0, 128, "", "destination printed on 進達 transmittal lists (INT-9)" },
	{ "export", "dir", CONF_STR, 0, 1024, "", "directory the listings' --output NAME files are created in, owner-only (empty: --output refused; issue 16)" },
	/* Issue 13 (RET-1, RET-2): how long the terminal keeps each category
	 * after the event that starts its clock; madoguchi.conf(5) gives the
	 * seed passage each default follows. */
	{ "retention", "applications", CONF_INT, 1, 3650, "30", "days an application stays on the terminal after it left its hands (acknowledged by the central and forwarded, decided, rejected, issued or withdrawn; its 個人番号 is masked at once; RET-1)" },
	{ "retention", "idchecks", CONF_INT, 1, 3650, "30", "days an identity-check record stays after the check, once acknowledged and no kept application uses it (RET-1)" },
	{ "retention", "audit", CONF_INT, 1, 3650, "90", "days an audit row stays after the central acknowledged it (the central keeps it; LOG-2, RET-1)" },
	{ "retention", "sync_log", CONF_INT, 1, 3650, "400", "days a sync log row stays (LOG-4, RET-1)" },
	{ "retention", "inquiries", CONF_INT, 1, 3650, "400", "days an answered inquiry stays after its response (INT-11, RET-1)" },
	{ "retention", "offline_max", CONF_INT, 1, 3650, "30", "days without a successful sync after which the terminal purges the personal data it pulled, keeping what it has not pushed (RET-1, NET-5)" },
	{ NULL, NULL, CONF_STR, 0, 0, NULL, NULL }
};

void
app_purge_policy(const struct conf *c, struct purge_policy *p)
{
	p->applications = (int)conf_int(c, "retention", "applications");
	p->idchecks = (int)conf_int(c, "retention", "idchecks");
	p->audit = (int)conf_int(c, "retention", "audit");
	p->sync_log = (int)conf_int(c, "retention", "sync_log");
	p->inquiries = (int)conf_int(c, "retention", "inquiries");
	p->offline_max = (int)conf_int(c, "retention", "offline_max");
}

/* [ui] graphics is one of four words (conf has no enum type). */
static int
graphics_check(const struct conf *c, const char *path, struct err *e)
{
	static const char *const ok[] = { "auto", "symbols", "sixel", "none" };
	const char *v = conf_str(c, "ui", "graphics");

	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
		if (strcmp(v, ok[i]) == 0)
			return 0;
	return err_set(e, ERR_FORMAT, "%s:%d: [ui] graphics: must be auto, symbols, sixel or none",
	    path != NULL ? path : "(config)", conf_line(c, "ui", "graphics"));
}

int
app_conf_load(struct app_opts *o, struct err *e)
{
	const char *path = o->config_path;
	int r;

	if ((o->conf = conf_new(app_conf_schema)) == NULL)
		return err_set(e, ERR_NOMEM, "out of memory");
	if (path == NULL && access(MDG_DEFAULT_CONFIG, R_OK) == 0)
		path = MDG_DEFAULT_CONFIG;
	if (path != NULL && (r = conf_load(o->conf, path, e)) != 0)
		return r;
	if ((r = graphics_check(o->conf, path, e)) != 0)
		return r;
	if ((r = sf_mode_check(o->conf, path, e)) != 0)
		return r;
	if (conf_str(o->conf, "card", "jpki_roots")[0] != '\0') {
		/* A bad roots file stops start-up, not the first card check. */
		struct card_jpki_roots *roots;
		if ((r = card_jpki_roots_load(conf_str(o->conf, "card", "jpki_roots"),
		    &roots, e)) != 0) {
			err_prefix(e, "%s: [card] jpki_roots: ", path != NULL ? path : "config");
			return r;
		}
		card_jpki_roots_free(roots);
	}
	if (o->store_dir == NULL)
		o->store_dir = conf_str(o->conf, "store", "dir");
	store_password_max_age_set((int)conf_int(o->conf, "store", "password_max_age"));
	/* A bad trust anchor file stops start-up with file:line: reason. */
	{
		struct card_anchors a;
		if ((r = app_card_anchors(o->conf, &a, e)) != 0)
			return r;
		card_anchors_free(&a);
	}
	return 0;
}

int
app_card_anchors(const struct conf *cf, struct card_anchors *out, struct err *e)
{
	const char *path = cf != NULL ? conf_str(cf, "card", "trust_anchors") : "";

	memset(out, 0, sizeof(*out));
	if (path == NULL || path[0] == '\0')
		return 0;
	return card_anchors_load(path, out, e);
}
