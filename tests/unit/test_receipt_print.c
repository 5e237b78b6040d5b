/*
 * test_receipt_print.c — the print command of the receipt slip (LK-2,
 * LK-3): what it writes is owner-only whatever the umask, and it inherits
 * no descriptor but the slip on its standard input.
 */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core.h"
#include "harness.h"
#include "intake.h"

TEST(print_command_output_is_owner_only)
{
	char cmd[1200];
	struct stat sb;
	struct err e;

	umask(022);
	snprintf(cmd, sizeof(cmd), "cat > '%s'", t_path("slip.txt"));
	REQUIRE_OK(receipt_print_run(cmd, "受付票\nT001-20250401-00001\n", &e), &e);
	REQUIRE(stat(t_path("slip.txt"), &sb) == 0);
	CHECK_INT((int)(sb.st_mode & 0777), 0600);
}

TEST(print_command_inherits_no_descriptor)
{
	char cmd[1200];
	struct err e;
	int fd;

	/* a descriptor without O_CLOEXEC, as a library might leave one */
	REQUIRE(t_write_file(t_path("private"), "x", 1) == 0);
	REQUIRE((fd = open(t_path("private"), O_RDONLY)) >= 3);
	snprintf(cmd, sizeof(cmd), "test -e /proc/$$/fd/%d && exit 9; cat >/dev/null", fd);
	err_clear(&e);
	CHECK_INT(receipt_print_run(cmd, "受付票\n", &e), 0);
	close(fd);
}
