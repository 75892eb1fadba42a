/*-
 * Copyright (c) 2026 The frontd authors
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * upgrade.c -- USR2: run a new binary on the same listening sockets,
 * without refusing a connection.
 *
 * The running process forks and executes the path it was started with,
 * with the same arguments, handing over its listening sockets (and the
 * admin socket) as inherited descriptors, named in the environment
 * variable FRONTD_UPGRADE together with the write end of a pipe.  The new
 * process adopts every socket whose address its configuration still
 * lists (ACC_Inherit, then ACC_Open as on a reload), binds the others,
 * starts, and says '0' on the pipe once it accepts -- the same word a
 * daemonizing child gives its parent.  Only then does the old process
 * stop accepting and drain; until then both accept from the same
 * sockets, so a connection is never refused.  If the new process fails
 * (a bad file, a missing binary, a crash) the pipe says why or just
 * closes, the old process logs it and keeps serving; a new process that
 * says nothing for UPG_TIMEOUT is stopped.
 *
 * This is nginx's way (USR2 and inherited descriptors).  Rejected:
 * SO_REUSEPORT alone (illumos has none, and on Linux a socket closing
 * with connections in its own accept queue resets them), and passing
 * sockets over a Unix socket as HAProxy and Envoy do (a second
 * protocol, to the same end, for a process that is our own child).
 *
 * The new process is a child of the old one and outlives it.  It writes
 * the pid file before it says it is ready, and the old process leaves
 * the file alone, so a supervisor that follows the pid file (systemd's
 * PIDFile=) finds the new main process; an SMF contract holds both.
 */

#include <sys/types.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vas.h"
#include "acceptor.h"
#include "admin.h"
#include "log.h"
#include "tim.h"
#include "upgrade.h"

#define UPG_ENV		"FRONTD_UPGRADE"
#define UPG_TIMEOUT	60.	/* seconds for the new process to start */
#define UPG_MAXFD	65	/* listeners, the admin socket */

extern char **environ;

static char	**upg_argv;	/* as the process was started */
static char	*upg_path;	/* argv[0], made absolute */
static int	upg_inh[UPG_MAXFD];	/* inherited, not yet adopted */
static unsigned	upg_ninh;
static int	upg_rfd = -1;	/* where to say "ready" */
static int	upg_afd = -1;	/* inherited admin socket */

/*--------------------------------------------------------------------
 * One inherited descriptor number; -1 if it is not an open descriptor
 * (or, for a listener, not a socket).  It is closed on exec again.
 */

static int
upg_fd(const char *s, char **end, int sock)
{
	socklen_t len;
	long v;
	int type;

	v = strtol(s, end, 10);
	if (*end == s || v < 0 || v > 1 << 20 || fcntl((int)v, F_GETFD) < 0)
		return (-1);
	len = sizeof type;
	if (sock && getsockopt((int)v, SOL_SOCKET, SO_TYPE, &type, &len) != 0)
		return (-1);
	(void)fcntl((int)v, F_SETFD, FD_CLOEXEC);
	return ((int)v);
}

/*--------------------------------------------------------------------
 * The inherited descriptors: "READY:ADMIN:L1,L2,..." (ADMIN -1: none).
 */

static void
upg_parse(const char *env)
{
	const char *p = env;
	char *end;
	int fd;

	upg_rfd = upg_fd(p, &end, 0);
	if (*end != ':')
		return;
	p = end + 1;
	if (strncmp(p, "-1", 2) != 0)
		upg_afd = upg_fd(p, &end, 1);
	else
		end = (char *)(uintptr_t)(p + 2);
	if (*end != ':')
		return;
	p = end + 1;
	while (*p != '\0' && upg_ninh < UPG_MAXFD) {
		fd = upg_fd(p, &end, 1);
		if (fd >= 0)
			upg_inh[upg_ninh++] = fd;
		if (*end != ',')
			break;
		p = end + 1;
	}
}

/*--------------------------------------------------------------------
 * A command name found in PATH, as execvp() would (at start, since the
 * child of a threaded process should not search).
 */

static char *
upg_search(char *name)
{
	const char *path = getenv("PATH"), *p, *e;
	char *full;

	for (p = path; p != NULL && *p != '\0'; p = *e ? e + 1 : e) {
		e = strchr(p, ':');
		if (e == NULL)
			e = p + strlen(p);
		if (asprintf(&full, "%.*s/%s", (int)(e - p), p, name) < 0)
			break;
		if (access(full, X_OK) == 0)
			return (full);
		free(full);
	}
	return (name);
}

/*--------------------------------------------------------------------
 * Remember how the process was started; read what an upgrade handed
 * over.  Main thread, at start.
 */

void
UPG_Init(char **argv)
{
	char cwd[4096];
	const char *env;

	AN(argv);
	AN(argv[0]);
	upg_argv = argv;
	upg_path = argv[0];
	if (strchr(argv[0], '/') == NULL)
		upg_path = upg_search(argv[0]);
	else if (argv[0][0] != '/' && getcwd(cwd, sizeof cwd) != NULL &&
	    asprintf(&upg_path, "%s/%s", cwd, argv[0]) < 0)
		upg_path = argv[0];
	env = getenv(UPG_ENV);
	if (env != NULL)
		upg_parse(env);
	(void)unsetenv(UPG_ENV);
}

/*--------------------------------------------------------------------
 * In a process started by an upgrade: hand the inherited sockets to the
 * acceptor and the admin listener, and return the descriptor to report
 * start-up on (else -1).  Main thread, before listening.
 */

int
UPG_Adopt(void)
{

	if (upg_rfd < 0)
		return (-1);
	ACC_Inherit(upg_inh, upg_ninh);
	upg_ninh = 0;
	if (upg_afd >= 0)
		ADM_Inherit(upg_afd);
	upg_afd = -1;
	log_info("upgrade: started with %s's listening sockets",
	    "the previous process");
	return (upg_rfd);
}

/*--------------------------------------------------------------------
 * The environment for the new process: ours, with FRONTD_UPGRADE.
 */

static char **
upg_env(int rfd, const int *fds, unsigned n, int afd)
{
	char **env, *s;
	size_t ne, len;
	unsigned u;

	for (ne = 0; environ[ne] != NULL; ne++)
		continue;
	env = calloc(ne + 2, sizeof *env);
	len = sizeof UPG_ENV + 32 + 12 * (size_t)n;
	s = malloc(len);
	if (env == NULL || s == NULL) {
		free(env);
		free(s);
		return (NULL);
	}
	memcpy(env, environ, ne * sizeof *env);
	(void)snprintf(s, len, "%s=%d:%d:", UPG_ENV, rfd, afd);
	for (u = 0; u < n; u++)
		(void)snprintf(s + strlen(s), len - strlen(s), "%s%d",
		    u == 0 ? "" : ",", fds[u]);
	env[ne] = s;
	return (env);
}

static void
upg_env_free(char **env)
{
	size_t ne;

	if (env == NULL)
		return;
	for (ne = 0; env[ne] != NULL; ne++)
		continue;
	assert(ne > 0);
	free(env[ne - 1]);		/* ours; the rest are environ's */
	free(env);
}

/*--------------------------------------------------------------------
 * In the child: let the sockets and the pipe survive exec, and run the
 * new binary.  Async-signal-safe calls only.
 */

static void __attribute__((__noreturn__))
upg_child(int rfd, const int *fds, unsigned n, int afd, char **env)
{
	static const char msg[] = "oexec failed";
	sigset_t none;
	unsigned u;

	(void)sigemptyset(&none);
	(void)sigprocmask(SIG_SETMASK, &none, NULL);
	for (u = 0; u < n; u++)
		(void)fcntl(fds[u], F_SETFD, 0);
	if (afd >= 0)
		(void)fcntl(afd, F_SETFD, 0);
	(void)fcntl(rfd, F_SETFD, 0);
	(void)execve(upg_path, upg_argv, env);
	(void)write(rfd, msg, sizeof msg - 1);
	_exit(127);
}

/*--------------------------------------------------------------------
 * Wait for the new process's word.  1 when it listens; 0 when it
 * failed, with why in 'why'.
 */

static int
upg_wait(int fd, pid_t pid, char *why, size_t len)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	char buf[600];
	tim_mono end = TIM_mono() + UPG_TIMEOUT;
	ssize_t l;
	int st, i;

	while (poll(&pfd, 1, (int)((end - TIM_mono()) * 1e3) + 1) < 0)
		if (errno != EINTR)
			break;
	l = read(fd, buf, sizeof buf - 1);
	if (l > 0 && buf[0] == '0')
		return (1);
	if (l > 1) {
		buf[l] = '\0';
		(void)snprintf(why, len, "%s", buf + 1);
	} else if (l < 0 || pfd.revents == 0) {
		(void)snprintf(why, len, "not ready after %.0f s; stopped",
		    UPG_TIMEOUT);
		(void)kill(pid, SIGTERM);
		return (0);
	} else
		(void)snprintf(why, len, "exited during start-up");
	for (i = 0; i < 100; i++) {	/* its status, for the log */
		if (waitpid(pid, &st, WNOHANG) == pid) {
			if (WIFEXITED(st))
				(void)snprintf(why + strlen(why),
				    len - strlen(why), " (exit %d)",
				    WEXITSTATUS(st));
			break;
		}
		TIM_sleep(0.01);
	}
	return (0);
}

/*--------------------------------------------------------------------
 * USR2: start the new binary on our sockets.  1 when it is ready (the
 * caller stops accepting and drains), 0 when it is not (logged; keep
 * serving).  Main thread.
 */

int
UPG_Start(void)
{
	int fds[UPG_MAXFD], p[2], afd;
	char **env, why[640];
	unsigned n;
	pid_t pid;
	int ok;

	n = ACC_Fds(fds, UPG_MAXFD);
	afd = ADM_Fd();
	if (pipe2(p, O_CLOEXEC) != 0) {
		log_warn("upgrade: pipe");
		return (0);
	}
	env = upg_env(p[1], fds, n, afd);
	pid = env != NULL ? fork() : -1;
	if (pid == 0)
		upg_child(p[1], fds, n, afd, env);
	(void)close(p[1]);
	upg_env_free(env);
	ok = 0;
	if (pid < 0)
		log_warn("upgrade: starting %s", upg_path);
	else if ((ok = upg_wait(p[0], pid, why, sizeof why)) == 0)
		log_warnx("upgrade: %s (pid %ld): %s; still serving",
		    upg_path, (long)pid, why);
	else
		log_info("upgrade: %s (pid %ld) is listening; draining",
		    upg_path, (long)pid);
	(void)close(p[0]);
	return (ok);
}
