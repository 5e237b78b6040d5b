/*
 * test_password_read.c — app_read_password (--password-stdin) keeps the
 * password out of stdio's buffers (LOG-5, STYLE: secrets only in wiped
 * memory): it reads exactly one line with read(2), so the next line is
 * still unread on the descriptor, and nothing of the password is left in a
 * stdin FILE buffer that no one wipes.
 */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "app.h"
#include "harness.h"

/* Make fd 0 a file holding text (each test runs in its own child). */
static void
stdin_from(const char *text)
{
	const char *p = t_path("stdin.txt");
	int fd;

	REQUIRE(t_write_file(p, text, strlen(text)) == 0);
	REQUIRE((fd = open(p, O_RDONLY)) >= 0);
	REQUIRE(dup2(fd, STDIN_FILENO) == STDIN_FILENO);
	close(fd);
}

TEST(password_read_takes_one_line_past_stdio)
{
	char buf[64], rest[64];
	struct err e;
	ssize_t k;

	stdin_from("Kanri#Mado-7351\r\nHanako#Mado-2580\n");
	err_clear(&e);
	REQUIRE_OK(app_read_password("pw: ", 1, buf, sizeof(buf), &e), &e);
	CHECK_STR(buf, "Kanri#Mado-7351");
	/* the second line is still on the descriptor: no stdio buffer read
	 * ahead and holds it (fgets would have swallowed both lines) */
	k = read(STDIN_FILENO, rest, sizeof(rest) - 1);
	REQUIRE(k > 0);
	rest[k] = '\0';
	CHECK_STR(rest, "Hanako#Mado-2580\n");
}

TEST(password_read_two_in_a_row)
{
	char a[64], b[64];
	struct err e;

	stdin_from("first-Secret-1\nsecond-Secret-2\n");
	err_clear(&e);
	REQUIRE_OK(app_read_password("pw: ", 1, a, sizeof(a), &e), &e);
	REQUIRE_OK(app_read_password("pw: ", 1, b, sizeof(b), &e), &e);
	CHECK_STR(a, "first-Secret-1");
	CHECK_STR(b, "second-Secret-2");
	CHECK_INT(app_read_password("pw: ", 1, b, sizeof(b), &e), ERR_INVAL);	/* EOF */
}

TEST(password_read_too_long_is_wiped)
{
	char buf[16];
	struct err e;

	stdin_from("0123456789abcdefghijklmnop\n");
	err_clear(&e);
	CHECK_INT(app_read_password("pw: ", 1, buf, sizeof(buf), &e), ERR_RANGE);
	for (size_t i = 0; i < sizeof(buf); i++)
		CHECK_INT(buf[i], 0);
	CHECK(strstr(e.msg, "0123") == NULL);
}

TEST(password_read_empty_line_is_an_empty_password)
{
	char buf[16];
	struct err e;

	stdin_from("\n");
	err_clear(&e);
	REQUIRE_OK(app_read_password("pw: ", 1, buf, sizeof(buf), &e), &e);
	CHECK_STR(buf, "");
}
