/*
 * pcscd.c — a private pcscd for the tests and the demo.
 *
 * Debian's pcscd (1.9.x) always creates /run/pcscd/pcscd.comm, but when it
 * is socket-activated (LISTEN_FDS, as systemd does it) it uses the socket it
 * is given instead and leaves /run/pcscd/pcscd.comm alone.  We create the
 * socket ourselves in DIR, hand it over on fd 3 and exec pcscd in the
 * foreground with its own reader configuration (DIR/reader.conf.d/vpcd: the
 * vpcd driver on PORT, which also opens PORT+1 for a second slot).  Clients
 * reach it with PCSCLITE_CSOCK_NAME=DIR/pcscd.comm.
 *
 * pcscd still writes its pid to /run/pcscd/pcscd.pid (and removes it on
 * exit); to keep that away from a system pcscd we run in a private mount
 * namespace with a tmpfs on /run when the system lets us (root, or an
 * unprivileged user namespace).  Without one we refuse to start when a
 * system pcscd is running, rather than touch its files.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "sim.h"

#define PCSCD "/usr/sbin/pcscd"
#define VPCD_LIB "/usr/lib/pcsc/drivers/serial/libifdvpcd.so"

static int
write_text(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = write(fd, text, strlen(text));
	close(fd);
	return n == (ssize_t)strlen(text) ? 0 : -1;
}

/* A mount namespace of our own with an empty /run, so pcscd's pid file
 * lands there.  0 on success. */
static int
private_run(void)
{
	char map[64];
	uid_t uid = getuid();
	gid_t gid = getgid();

	if (unshare(CLONE_NEWNS) != 0) {
		if (unshare(CLONE_NEWUSER | CLONE_NEWNS) != 0)
			return -1;
		snprintf(map, sizeof(map), "0 %u 1\n", (unsigned)uid);
		if (write_text("/proc/self/uid_map", map) != 0)
			return -1;
		write_text("/proc/self/setgroups", "deny\n");
		snprintf(map, sizeof(map), "0 %u 1\n", (unsigned)gid);
		if (write_text("/proc/self/gid_map", map) != 0)
			return -1;
	}
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0)
		return -1;
	if (mount("tmpfs", "/run", "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755") != 0)
		return -1;
	return 0;
}

int
sim_pcscd_exec(const char *dir, int port, struct err *e)
{
	char conf[2048], path[4096], text[512], sockpath[sizeof(((struct sockaddr_un *)0)->sun_path)];
	struct sockaddr_un sa;
	char pid[32];
	int fd;

	if (port <= 0 || port > 65534)
		return err_set(e, ERR_RANGE, "port must be 1..65534 (vpcd also uses port+1)");
	if (access(PCSCD, X_OK) != 0)
		return err_set(e, ERR_NOTFOUND, "%s not found: install the pcscd package", PCSCD);
	if (access(VPCD_LIB, R_OK) != 0)
		return err_set(e, ERR_NOTFOUND, "%s not found: install vsmartcard-vpcd", VPCD_LIB);
	if (mkdir(dir, 0700) != 0 && errno != EEXIST)
		return err_set(e, ERR_IO, "%s: %s", dir, strerror(errno));
	if (strlen(dir) > 1000)
		return err_set(e, ERR_RANGE, "directory name too long");
	snprintf(conf, sizeof(conf), "%s/reader.conf.d", dir);
	if (mkdir(conf, 0700) != 0 && errno != EEXIST)
		return err_set(e, ERR_IO, "%s: %s", conf, strerror(errno));
	snprintf(path, sizeof(path), "%s/vpcd", conf);
	snprintf(text, sizeof(text),
	    "# written by mynacard-sim --pcscd: the vpcd driver on TCP port %d (and %d)\n"
	    "FRIENDLYNAME \"Virtual PCD\"\n"
	    "DEVICENAME   /dev/null:0x%X\n"
	    "LIBPATH      %s\n"
	    "CHANNELID    0x%X\n", port, port + 1, port, VPCD_LIB, port);
	if (write_text(path, text) != 0)
		return err_set(e, ERR_IO, "%s: %s", path, strerror(errno));

	if (snprintf(sockpath, sizeof(sockpath), "%s/pcscd.comm", dir) >= (int)sizeof(sockpath))
		return err_set(e, ERR_RANGE, "%s: directory name too long for a socket", dir);
	if (private_run() != 0) {
		if (access("/run/pcscd/pcscd.comm", F_OK) == 0)
			return err_set(e, ERR_STATE,
			    "a system pcscd is running and no private mount namespace is "
			    "available here; use the system pcscd (it has a vpcd reader on "
			    "port 35963 when vsmartcard-vpcd is installed: mynacard-sim "
			    "--port 35963 PROFILE) or run this as root");
		fprintf(stderr, "mynacard-sim: no private mount namespace; pcscd will "
		    "write its pid file under /run/pcscd\n");
	}
	unlink(sockpath);
	if ((fd = socket(AF_UNIX, SOCK_STREAM, 0)) < 0)
		return err_set(e, ERR_IO, "socket: %s", strerror(errno));
	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	memcpy(sa.sun_path, sockpath, strlen(sockpath) + 1);
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0 || listen(fd, 64) != 0) {
		close(fd);
		return err_set(e, ERR_IO, "%s: %s", sockpath, strerror(errno));
	}
	chmod(sockpath, 0666);
	if (fd != 3) {
		if (dup2(fd, 3) < 0)
			return err_set(e, ERR_IO, "dup2: %s", strerror(errno));
		close(fd);
	}
	fcntl(3, F_SETFD, 0);
	snprintf(pid, sizeof(pid), "%d", (int)getpid());
	setenv("LISTEN_FDS", "1", 1);
	setenv("LISTEN_PID", pid, 1);
	unsetenv("LISTEN_FDNAMES");
	/* Never --apdu: it would log PINs. */
	execl(PCSCD, PCSCD, "--foreground", "--config", conf, "--error", (char *)NULL);
	return err_set(e, ERR_IO, "exec %s: %s", PCSCD, strerror(errno));
}
