/*
 * tui_counter.h — the steps every counter-screen test (tests/tui/) takes
 * in tmux, shared instead of copied into each suite (issue 19: the
 * duplicates tool found them in five files): a private pcscd with the
 * card simulator (struct tui_rig), logging in, back to the start screen,
 * quitting (F10 → 終了, exit 0, sanitizer clean).  Header-only like
 * tmux.h, because the suites link only harness.c from tests/lib.
 *
 *   struct tui_rig r;
 *   tui_rig_up(&r);                   // pcscd + vpcd, no card yet
 *   tui_rig_card(&r, NULL, "demo-5");  // data/cards/demo-5.card in the reader
 *   ... tmx_start_env(&t, 100, 30, r.env_quoted, argv) ...
 *   tui_login(&t, "clerk1", PW);
 *   tui_quit(&t);
 *   tui_rig_down(&r);
 */
#ifndef MDG_TEST_TUI_COUNTER_H
#define MDG_TEST_TUI_COUNTER_H

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"
#include "pcsc_rig.h"
#include "tmux.h"

#define TUI_WAIT 20000

/* ------------------------------------------------ pcscd + simulator */

struct tui_rig {
	pid_t pcscd, sim;
	int port;
	char dir[512];
	char sock[600];
	char env[700];			/* PCSCLITE_CSOCK_NAME=... */
};

/* A private pcscd (mynacard-sim --pcscd) with vpcd; PCSCLITE_CSOCK_NAME set
 * for this process too (the suite's own card calls). */
TMX_FN void
tui_rig_up(struct tui_rig *r)
{
	char port[16];

	memset(r, 0, sizeof(*r));
	REQUIRE((r->port = rig_pair_port()) > 0);
	snprintf(port, sizeof(port), "%d", r->port);
	snprintf(r->dir, sizeof(r->dir), "%s/pcscd", t_tmpdir());
	snprintf(r->sock, sizeof(r->sock), "%s/pcscd.comm", r->dir);
	snprintf(r->env, sizeof(r->env), "PCSCLITE_CSOCK_NAME=%s", r->sock);
	setenv("PCSCLITE_CSOCK_NAME", r->sock, 1);
	{
		char *const argv[] = { (char *)t_bin("mynacard-sim"), "--die-with-parent",
		    "--pcscd", r->dir, "--port", port, NULL };
		r->pcscd = t_start(argv, NULL, t_path("pcscd.log"));
	}
	REQUIRE(r->pcscd > 0);
	REQUIRE(t_wait_for(rig_reader_up, NULL, 10000));
}

/* Put data/cards/NAME.card in the reader (replacing any), with one
 * simulator fault flag (NULL: none); returns when the card is in. */
TMX_FN void
tui_rig_card(struct tui_rig *r, const char *flag, const char *name)
{
	char port[16], prof[1024];

	if (r->sim > 0) {
		t_stop_proc(r->sim, SIGTERM, 3000);
		r->sim = 0;
		usleep(300000);
	}
	snprintf(port, sizeof(port), "%d", r->port);
	snprintf(prof, sizeof(prof), "%s/data/cards/%s.card", t_srcdir(), name);
	{
		char *const argv[] = { (char *)t_bin("mynacard-sim"), "--die-with-parent",
		    "--port", port, flag != NULL ? (char *)flag : prof,
		    flag != NULL ? prof : NULL, NULL };
		r->sim = t_start(argv, NULL, t_path("sim.log"));
	}
	REQUIRE(r->sim > 0);
	if (!t_wait_for(rig_card_in, NULL, 10000)) {
		char *log = t_read_file(t_path("sim.log"), NULL);
		t_fail_at(__FILE__, __LINE__, "card %s not in the reader: %s", name,
		    log ? log : "");
		free(log);
		t_stop();
	}
}

TMX_FN void
tui_rig_down(struct tui_rig *r)
{
	if (r->sim > 0)
		t_stop_proc(r->sim, SIGTERM, 3000);
	if (r->pcscd > 0)
		t_stop_proc(r->pcscd, SIGTERM, 3000);
	r->sim = r->pcscd = 0;
}

/* ------------------------------------------------------ the screens */

/* On the login screen: account, Tab, password, Enter; the start screen. */
TMX_FN void
tui_login(struct tmx *t, const char *user, const char *pw)
{
	tmx_text(t, user);		/* the account box has the focus */
	tmx_keys(t, "Tab", NULL);
	tmx_text(t, pw);
	tmx_keys(t, "Enter", NULL);
	REQUIRE(tmx_wait(t, "メインメニュー", TUI_WAIT));
}

/* Esc until the start screen. */
TMX_FN void
tui_to_main_menu(struct tmx *t)
{
	for (int i = 0; i < 6; i++) {
		tmx_keys(t, "Escape", NULL);
		usleep(100000);
	}
	REQUIRE(tmx_wait(t, "メインメニュー", TUI_WAIT));
}

/* From anywhere: the start screen, F10 → 終了 (the menu's last entry) →
 * はい; the program exits 0 with nothing from the sanitizers. */
TMX_FN void
tui_quit(struct tmx *t)
{
	tui_to_main_menu(t);
	tmx_keys(t, "F10", NULL);
	REQUIRE(tmx_wait(t, "パスワード変更", TUI_WAIT));
	tmx_keys(t, "End", "Enter", NULL);
	REQUIRE(tmx_wait(t, "終了しますか", TUI_WAIT));
	tmx_keys(t, "y", NULL);
	CHECK(tmx_wait(t, "[exited 0]", TUI_WAIT));
	CHECK(tmx_sanitizer_clean(t));
}

/* F3 by 宛名番号 (the fourth box), open the one result: its record. */
TMX_FN void
tui_open_person(struct tmx *t, const char *atena, const char *name)
{
	char want[128];

	tmx_keys(t, "F3", NULL);
	REQUIRE(tmx_wait(t, "住民の検索（F3）", TUI_WAIT));
	tmx_keys(t, "Tab", "Tab", "Tab", NULL);
	tmx_text(t, atena);
	tmx_keys(t, "Enter", NULL);
	REQUIRE(tmx_wait(t, "検索結果", TUI_WAIT));
	tmx_keys(t, "Enter", NULL);
	snprintf(want, sizeof(want), "住民記録  %s", name);
	REQUIRE(tmx_wait(t, want, TUI_WAIT));
}

#endif
