/*
 * test_debian_conf.c — the example configuration the Debian package
 * installs as /etc/madoguchi/madoguchi.conf (debian/conf/madoguchi.conf,
 * issue 12) parses against the real schema and points at what the packages
 * install: the screens in /usr/share/madoguchi/screens, the store in
 * /var/lib/madoguchi (the madoguchi group's directory), CUPS's lp.
 */
#include <stdio.h>
#include <string.h>

#include "app.h"
#include "harness.h"

TEST(debian_example_conf_parses_and_names_packaged_paths)
{
	char path[4096];
	struct conf *c;
	struct err e;

	snprintf(path, sizeof(path), "%s/debian/conf/madoguchi.conf", t_srcdir());
	REQUIRE((c = conf_new(app_conf_schema)) != NULL);
	err_clear(&e);
	REQUIRE_OK(conf_load(c, path, &e), &e);
	CHECK_STR(conf_str(c, "ui", "screens"), "/usr/share/madoguchi/screens");
	CHECK_STR(conf_str(c, "store", "dir"), MDG_DEFAULT_STORE);
	CHECK_STR(conf_str(c, "ui", "print_command"), "lp");
	CHECK_INT(conf_is_set(c, "ui", "screens"), 1);
	conf_free(c);
}
