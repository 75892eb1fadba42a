/*-
 * Copyright (c) 2026 The frontd authors
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * daemon.c -- the running daemon: daemonize, start the threads, handle
 * signals, reload, drain and stop.
 *
 * Without -F the process forks; the child does everything that needs
 * the final process (event ports and threads are created only there:
 * an event port does not survive fork usefully) and reports through a
 * pipe once it listens on every address, so the parent exits 0 only then
 * -- or non-zero with the child's reason on stderr.  That is the
 * readiness SMF and systemd's Type=forking wait for.
 *
 * Signals are blocked in every thread and taken by sigtimedwait() in the
 * main thread: HUP reloads, TERM and INT fail /health for
 * shutdown_delay, then drain and stop, USR1 reopens
 * logs.  Nothing runs in a signal handler.  Once a second without a
 * signal the main thread gives the memory a crowd of clients left behind
 * back to the system (mem.c).
 *
 * The current configuration is one pointer, swapped under a mutex on
 * reload; a session compares its own pointer with it at each request and
 * takes a reference only when it changed, so the request path touches no
 * shared cache line in the common case.
 */

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#include "frontd.h"
#include "acceptor.h"
#include "admin.h"
#include "alog.h"
#include "conf.h"
#include "daemon.h"
#include "backend.h"
#include "log.h"
#include "mem.h"
#include "stats.h"
#include "upgrade.h"

#define DMN_SOFT_CLOSE	1.	/* TERM: seconds for clients to be told */

struct counters		g_counters;
unsigned		g_draining;
unsigned		g_closing;
unsigned		g_stopping;
unsigned		g_sessions;
uint64_t		g_closed[SC__MAX];
unsigned		g_alog_on;

static pthread_mutex_t	dmn_mtx = PTHREAD_MUTEX_INITIALIZER;
static struct conf	*dmn_conf;	/* current; swapped under dmn_mtx */
static uint64_t		dmn_reload_ok;
static uint64_t		dmn_reload_failed;
static double		dmn_reload_last;
static double		dmn_started;
static int		dmn_fg;		/* -F: log to stderr */

/*--------------------------------------------------------------------
 * A new reference to the current configuration (any thread).
 */

struct conf *
DMN_Conf(void)
{
	struct conf *c;

	AZ(pthread_mutex_lock(&dmn_mtx));
	c = CONF_Ref(dmn_conf);
	AZ(pthread_mutex_unlock(&dmn_mtx));
	return (c);
}

/*--------------------------------------------------------------------
 * Move *cp to the current configuration if it is an older one.
 */

void
DMN_ConfUpdate(struct conf **cp)
{

	if (__atomic_load_n(&dmn_conf, __ATOMIC_ACQUIRE) == *cp)
		return;
	CONF_Rel(cp);
	*cp = DMN_Conf();
}

/*--------------------------------------------------------------------
 * Swap in a new configuration; the old one lives on in the sessions and
 * requests that still hold it.
 */

static void
dmn_conf_set(struct conf *conf)
{
	struct conf *old;

	AZ(pthread_mutex_lock(&dmn_mtx));
	old = dmn_conf;
	__atomic_store_n(&dmn_conf, conf, __ATOMIC_RELEASE);
	AZ(pthread_mutex_unlock(&dmn_mtx));
	if (old != NULL)
		CONF_Rel(&old);
}

/*--------------------------------------------------------------------
 * Open (or close) the access log the configuration names.  -1 with a
 * message in err.
 */

static int
dmn_alog(const struct conf *conf, const struct conf *old, char *err,
    size_t errlen)
{

	if (old != NULL && conf->access_log_json == old->access_log_json &&
	    (conf->access_log == NULL ? old->access_log == NULL :
	    old->access_log != NULL &&
	    !strcmp(conf->access_log, old->access_log)))
		return (0);		/* unchanged */
	if (ALOG_Open(conf->access_log, conf->access_log_json) != 0) {
		(void)snprintf(err, errlen, "access_log %s: %s",
		    conf->access_log, strerror(errno));
		return (-1);
	}
	__atomic_store_n(&g_alog_on, conf->access_log != NULL,
	    __ATOMIC_RELAXED);
	return (0);
}

/*--------------------------------------------------------------------
 * Say what a configuration takes but should not (start and reload).
 */

static void
dmn_conf_warn(const struct conf *conf)
{

	if (conf->admin_token_warn != NULL)
		log_warnx("admin_token_file %s: %s", conf->admin_token_file,
		    conf->admin_token_warn);
}

/*--------------------------------------------------------------------
 * HUP: parse the file again; keep the running configuration if the new
 * one is bad.
 */

static void
dmn_reload(const char *file)
{
	struct conf *conf, *old;
	char err[512];

	conf = CONF_Load(file, err, sizeof err);
	AZ(pthread_mutex_lock(&dmn_mtx));
	dmn_reload_last = TIM_real();
	AZ(pthread_mutex_unlock(&dmn_mtx));
	if (conf == NULL) {
		__atomic_fetch_add(&dmn_reload_failed, 1, __ATOMIC_RELAXED);
		log_warnx("reload: %s (configuration unchanged)", err);
		return;
	}
	old = DMN_Conf();
	if (dmn_alog(conf, old, err, sizeof err) != 0 ||
	    ACC_Reload(conf, err, sizeof err) != 0) {
		__atomic_fetch_add(&dmn_reload_failed, 1, __ATOMIC_RELAXED);
		log_warnx("reload: %s (configuration unchanged)", err);
		CONF_Rel(&conf);
		CONF_Rel(&old);
		return;
	}
	if (!dmn_fg && (conf->error_log == NULL ? old->error_log != NULL :
	    old->error_log == NULL || strcmp(conf->error_log, old->error_log))
	    && log_file(conf->error_log) != 0)
		log_warn("reload: error_log %s", conf->error_log);
	CONF_Rel(&old);
	dmn_conf_warn(conf);
	__atomic_fetch_add(&dmn_reload_ok, 1, __ATOMIC_RELAXED);
	dmn_conf_set(conf);
	HC_Start(conf);			/* dmn_conf holds it: main thread */
	log_info("reload: configuration %s loaded",
	    file != NULL ? file : "(default)");
}

/*--------------------------------------------------------------------
 * The daemon's part of a stats snapshot.
 */

void
DMN_Stats(struct stats *st)
{

	st->reload_ok = __atomic_load_n(&dmn_reload_ok, __ATOMIC_RELAXED);
	st->reload_failed = __atomic_load_n(&dmn_reload_failed,
	    __ATOMIC_RELAXED);
	AZ(pthread_mutex_lock(&dmn_mtx));
	st->reload_last = dmn_reload_last;
	AZ(pthread_mutex_unlock(&dmn_mtx));
	st->started = dmn_started;
}

/*--------------------------------------------------------------------
 * Raise the soft descriptor limit to the hard one.
 */

static void
dmn_rlimit(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
		return;
	if (rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		(void)setrlimit(RLIMIT_NOFILE, &rl);
	}
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0)
		log_info("descriptors: limit %llu",
		    (unsigned long long)rl.rlim_cur);
}

/*--------------------------------------------------------------------
 * Fork; the parent waits for the child's word and exits with it.  In the
 * child, returns the write end of the pipe.
 */

static int
dmn_fork(void)
{
	char buf[600];
	ssize_t l;
	int p[2], st;
	pid_t pid;

	if (pipe2(p, O_CLOEXEC) != 0)
		fatalc(EX_OSERR, "daemonize: pipe: %s", strerror(errno));
	pid = fork();
	if (pid < 0)
		fatalc(EX_OSERR, "daemonize: fork: %s", strerror(errno));
	if (pid == 0) {
		(void)close(p[0]);
		(void)setsid();
		return (p[1]);
	}
	(void)close(p[1]);
	l = read(p[0], buf, sizeof buf - 1);
	if (l > 0 && buf[0] == '0')
		_exit(0);
	if (l > 1) {
		buf[l] = '\0';
		(void)fprintf(stderr, "frontd: %s\n", buf + 1);
		_exit(buf[0] == 'c' ? EX_CONFIG :
		    buf[0] == 'p' ? EX_NOPERM : EX_OSERR);
	}
	(void)waitpid(pid, &st, 0);
	(void)fprintf(stderr, "frontd: the daemon exited during start-up\n");
	_exit(EX_OSERR);
}

/*--------------------------------------------------------------------
 * Tell the parent how start-up went ('0' ok, 'o' OS error + reason).
 */

static void
dmn_ready(int *fdp, char code, const char *msg)
{
	char buf[600];
	int fd, l;

	if (*fdp < 0)
		return;
	l = snprintf(buf, sizeof buf, "%c%s", code, msg);
	(void)write(*fdp, buf, (size_t)l);
	(void)close(*fdp);
	*fdp = -1;
	if (code == '0' && !dmn_fg) {
		fd = open("/dev/null", O_RDWR);
		if (fd >= 0) {
			(void)dup2(fd, 0);
			(void)dup2(fd, 1);
			(void)dup2(fd, 2);
			if (fd > 2)
				(void)close(fd);
		}
	}
}

/*--------------------------------------------------------------------
 * Drop to the configured user and group once the listeners are bound.
 * -1 with a message in err.
 */

static int
dmn_privdrop(const struct conf *conf, char *err, size_t errlen)
{
	struct passwd *pw = NULL;
	struct group *gr;
	gid_t gid;

	if (conf->user == NULL && conf->group == NULL)
		return (0);
	if (conf->user != NULL && (pw = getpwnam(conf->user)) == NULL) {
		(void)snprintf(err, errlen, "user %s: no such user", conf->user);
		return (-1);
	}
	gid = pw != NULL ? pw->pw_gid : getgid();
	if (conf->group != NULL) {
		gr = getgrnam(conf->group);
		if (gr == NULL) {
			(void)snprintf(err, errlen, "group %s: no such group",
			    conf->group);
			return (-1);
		}
		gid = gr->gr_gid;
	}
	if (geteuid() != 0 && (pw == NULL || pw->pw_uid == geteuid()) &&
	    gid == getegid())
		return (0);	/* already (an upgrade after a drop) */
	if (setgroups(1, &gid) != 0 || setgid(gid) != 0 ||
	    (pw != NULL && setuid(pw->pw_uid) != 0)) {
		(void)snprintf(err, errlen, "dropping privileges: %s",
		    strerror(errno));
		return (-1);
	}
	log_info("privileges: running as uid %ld gid %ld", (long)getuid(),
	    (long)getgid());
	return (0);
}

/*--------------------------------------------------------------------
 * Write the pid file, if one is configured.
 */

static void
dmn_pidfile(const struct conf *conf)
{
	FILE *f;

	if (conf->pidfile == NULL)
		return;
	f = fopen(conf->pidfile, "w");
	if (f == NULL) {
		log_warn("pidfile %s", conf->pidfile);
		return;
	}
	(void)fprintf(f, "%ld\n", (long)getpid());
	(void)fclose(f);
}

/*--------------------------------------------------------------------
 * Before a drain: stop accepting, and for up to 'max' seconds keep
 * serving the sessions there are, each response saying Connection:
 * close, so that busy keep-alive clients learn to go elsewhere from a
 * response instead of finding their connection closed under a request
 * they just sent.  Ends early when every session is gone.
 */

static void
dmn_soft_close(tim_dur max)
{
	tim_mono end = TIM_mono() + max;

	__atomic_store_n(&g_closing, 1, __ATOMIC_RELEASE);
	ACC_Stop();
	while (__atomic_load_n(&g_sessions, __ATOMIC_RELAXED) > 0 &&
	    TIM_mono() < end)
		TIM_sleep(0.01);
}

/*--------------------------------------------------------------------
 * TERM/INT, before anything closes: /health answers 503 from now on,
 * and for shutdown_delay frontd keeps serving as before, so that a load
 * balancer that checks /health stops sending new connections before the
 * listeners close.  A second TERM or INT cuts the delay short.
 */

static void
dmn_shutdown_delay(const struct conf *conf, const sigset_t *ss)
{
	struct timespec ts;
	tim_mono end, now;
	int sig;

	__atomic_store_n(&g_stopping, 1, __ATOMIC_RELAXED);
	if (conf->shutdown_delay <= 0.)
		return;
	log_info("frontd: /health fails for %.3gs (shutdown_delay) before "
	    "the listeners close", conf->shutdown_delay);
	end = TIM_mono() + conf->shutdown_delay;
	while ((now = TIM_mono()) < end) {
		ts = TIM_timespec(end - now);
		sig = sigtimedwait(ss, NULL, &ts);
		if (sig == SIGTERM || sig == SIGINT) {
			log_info("frontd: signal %d, shutdown_delay cut short",
			    sig);
			return;
		}
	}
}

/*--------------------------------------------------------------------
 * TERM/INT: stop accepting, let requests in flight finish within the
 * drain time (each ends with Connection: close), then close everything.
 */

static void
dmn_drain(const struct conf *conf)
{
	tim_mono end;

	__atomic_store_n(&g_draining, 1, __ATOMIC_RELEASE);
	ACC_Stop();
	/*
	 * Idle sessions are closed now.  Workers stop handing sessions to
	 * the idle waiter once they see g_draining, and WRK_Quiesce waits
	 * until each has.  With the idle waiter gone, nothing hands work to
	 * the workers either.
	 */
	WRK_Quiesce();
	SES_WaitFini();
	end = TIM_mono() + conf->drain_timeout;
	while (WRK_Active() > 0 && TIM_mono() < end)
		TIM_sleep(0.02);
	if (WRK_Active() > 0)
		log_warnx("drain: %u sessions cut at drain_timeout",
		    WRK_Active());
	WRK_Fini();
	ALOG_FlushAll();
}

/*--------------------------------------------------------------------
 * Run until told to stop.
 */

int
DAEMON_Main(struct conf *conf, const char *file, int foreground)
{
	static const struct timespec tick = { 1, 0 };	/* MEM_Tick */
	sigset_t ss;
	char err[512];
	int sig, rfd = -1, upgraded = 0;

	CHECK_OBJ_NOTNULL(conf, CONF_MAGIC);
	dmn_started = TIM_real();
	dmn_fg = foreground;
	rfd = UPG_Adopt();
	if (rfd < 0 && !foreground)
		rfd = dmn_fork();
	dmn_conf_set(conf);
	dmn_rlimit();
	if (ACC_Open(conf, err, sizeof err) != 0) {
		sig = errno == EACCES ? EX_NOPERM : EX_OSERR;
		dmn_ready(&rfd, sig == EX_NOPERM ? 'p' : 'o', err);
		log_warnx("%s", err);
		return (sig);
	}
	dmn_pidfile(conf);
	dmn_conf_warn(conf);
	if (!foreground && conf->error_log != NULL &&
	    log_file(conf->error_log) != 0) {
		(void)snprintf(err, sizeof err, "error_log %s: %s",
		    conf->error_log, strerror(errno));
		dmn_ready(&rfd, 'o', err);
		return (EX_CANTCREAT);
	}
	if (dmn_alog(conf, NULL, err, sizeof err) != 0 ||
	    (conf->admin_listen != NULL &&
	    ADM_Start(conf->admin_listen, err, sizeof err) != 0)) {
		dmn_ready(&rfd, 'o', err);
		log_warnx("%s", err);
		return (EX_OSERR);
	}
	if (dmn_privdrop(conf, err, sizeof err) != 0) {
		dmn_ready(&rfd, 'p', err);
		log_warnx("%s", err);
		return (EX_NOPERM);
	}
	(void)sigemptyset(&ss);
	(void)sigaddset(&ss, SIGHUP);
	(void)sigaddset(&ss, SIGTERM);
	(void)sigaddset(&ss, SIGINT);
	(void)sigaddset(&ss, SIGUSR1);
	(void)sigaddset(&ss, SIGUSR2);
	AZ(pthread_sigmask(SIG_BLOCK, &ss, NULL));
	(void)signal(SIGPIPE, SIG_IGN);
	if (SES_WaitInit(1, FRONTD_BUFSIZE(conf)) != 0 ||
	    WRK_Init(conf) != 0 || ACC_Start() != 0 || RSV_Start() != 0) {
		(void)snprintf(err, sizeof err, "start-up: %s",
		    strerror(errno));
		dmn_ready(&rfd, 'o', err);
		log_warnx("%s", err);
		return (EX_OSERR);
	}
	ADM_Open();
	HC_Start(conf);
	log_info("frontd: listening on %u address(es), %u workers",
	    conf->nlisten, conf->workers);
	dmn_ready(&rfd, '0', "");
	for (;;) {
		if ((sig = sigtimedwait(&ss, NULL, &tick)) < 0) {
			(void)MEM_Tick(__atomic_load_n(&g_sessions,
			    __ATOMIC_RELAXED));
			continue;
		}
		if (sig == SIGHUP)
			dmn_reload(file);
		else if (sig == SIGUSR2) {
			if ((upgraded = UPG_Start()) != 0)
				break;
		} else if (sig == SIGUSR1) {
			if (log_reopen() != 0)
				log_warn("USR1: reopening the error log");
			if (ALOG_Reopen() != 0)
				log_warn("USR1: reopening the access log");
			else
				log_info("USR1: access log reopened");
		}
		else
			break;
	}
	log_info("frontd: signal %d, draining", sig);
	conf = DMN_Conf();
	if (!upgraded)
		dmn_shutdown_delay(conf, &ss);
	ADM_Stop();
	RSV_Stop();
	dmn_soft_close(upgraded ? conf->drain_timeout :
	    conf->drain_timeout < DMN_SOFT_CLOSE ? conf->drain_timeout :
	    DMN_SOFT_CLOSE);
	dmn_drain(conf);
	if (conf->pidfile != NULL && !upgraded)
		(void)unlink(conf->pidfile);	/* else the new process's */
	CONF_Rel(&conf);
	dmn_conf_set(NULL);
	log_info("frontd: stopped");
	return (0);
}
