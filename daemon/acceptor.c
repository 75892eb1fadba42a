/*-
 * Copyright (c) 2026 The frontd authors
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * acceptor.c -- listening sockets and the accept thread.
 *
 * One thread polls every listening socket (and a pipe that tells it to
 * stop), accepts with accept4(SOCK_NONBLOCK|SOCK_CLOEXEC), sets
 * TCP_NODELAY, makes a session and hands it to the idle waiter.  At
 * max_connections the idle waiter is told to close its oldest idle
 * sessions to make room (SES_Evict); only past a small slack above the
 * limit, when nothing idle is left to close, does a client get a 503 and
 * is closed -- never silently dropped.  When the process runs out of descriptors (EMFILE, ENFILE)
 * accepting pauses for a moment and the event is counted: the thread
 * never spins and never dies (OpenBSD relayd's relay_accept).
 *
 * A thread per listener, as some servers do, buys nothing here: accept
 * is cheap next to the request path, and one poll() over a handful of
 * sockets is simpler to stop.
 */

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "frontd.h"
#include "conf.h"
#include "log.h"
#include "acceptor.h"

#define ACC_MAXLISTEN	64
#define ACC_PAUSE	0.1		/* after EMFILE/ENFILE */
#define ACC_FDLOG	10.		/* seconds between two warnings */
#define ACC_EVICT	16		/* idle sessions shed at a time */
#define ACC_SLACK	64		/* over max_connections while they go */

static struct pollfd	acc_pfd[ACC_MAXLISTEN + 1];
static struct sockaddr_storage acc_addr[ACC_MAXLISTEN];
static unsigned		acc_flags[ACC_MAXLISTEN];	/* CONF_L_* */
static unsigned		acc_n;		/* listeners */
static int		acc_pipe[2] = { -1, -1 };
static pthread_t	acc_thr;
static int		acc_running;

/*--------------------------------------------------------------------
 * Open one listening socket.  -1 with errno; *what names the call.
 */

static int
acc_listen(const struct conf_listen *cl, int reuse_port, const char **what)
{
	int fd, one = 1;

	*what = "socket";
	fd = socket(cl->addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK |
	    SOCK_CLOEXEC, 0);
	if (fd < 0)
		return (-1);
	(void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
#ifdef __linux__
	*what = "setsockopt SO_REUSEPORT";
	if (reuse_port &&
	    setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one) != 0)
		goto fail;
#else
	*what = "reuse_port (this system cannot share a port)";
	if (reuse_port) {
		errno = ENOTSUP;
		goto fail;
	}
#endif
	if (cl->addr.ss_family == AF_INET6)
		(void)setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one,
		    sizeof one);
	*what = "bind";
	if (bind(fd, (const struct sockaddr *)&cl->addr, cl->addrlen) != 0)
		goto fail;
	*what = "listen";
	if (listen(fd, 1024) != 0)
		goto fail;
	return (fd);
fail:
	one = errno;
	(void)close(fd);
	errno = one;
	return (-1);
}

/*--------------------------------------------------------------------
 * The open listener for an address, or -1.
 */

static int
acc_find(const struct pollfd *pfd, const struct sockaddr_storage *addr,
    unsigned n, const struct conf_listen *cl)
{
	unsigned u;

	for (u = 0; u < n; u++)
		if (pfd[u].fd >= 0 &&
		    !memcmp(&addr[u], &cl->addr, cl->addrlen))
			return ((int)u);
	return (-1);
}

/*--------------------------------------------------------------------
 * Make the set of listeners the configuration's: keep the sockets of
 * addresses still listed (no connection in their backlog is lost), open
 * the new ones, close the rest.  All or nothing: 0, or -1 with a message
 * in err and the old set untouched.
 */

int
ACC_Open(const struct conf *conf, char *err, size_t errlen)
{
	struct pollfd npfd[ACC_MAXLISTEN];
	struct sockaddr_storage naddr[ACC_MAXLISTEN];
	const char *what;
	unsigned u;
	int i;

	CHECK_OBJ_NOTNULL(conf, CONF_MAGIC);
	if (conf->nlisten > ACC_MAXLISTEN) {
		(void)snprintf(err, errlen, "too many listen addresses");
		return (-1);
	}
	for (u = 0; u < conf->nlisten; u++) {
		memset(&naddr[u], 0, sizeof naddr[u]);
		memcpy(&naddr[u], &conf->listen[u].addr,
		    conf->listen[u].addrlen);
		npfd[u].events = POLLIN;
		i = acc_find(acc_pfd, acc_addr, acc_n, &conf->listen[u]);
		if (i >= 0) {
			npfd[u].fd = acc_pfd[i].fd;
			continue;
		}
		npfd[u].fd = acc_listen(&conf->listen[u], conf->reuse_port,
		    &what);
		if (npfd[u].fd >= 0)
			continue;
		i = errno;
		(void)snprintf(err, errlen, "listen %s: %s: %s",
		    conf->listen[u].spec, what, strerror(i));
		while (u-- > 0)
			if (acc_find(acc_pfd, acc_addr, acc_n,
			    &conf->listen[u]) < 0)
				(void)close(npfd[u].fd);
		errno = i;
		return (-1);
	}
	for (u = 0; u < acc_n; u++)
		if (acc_find(npfd, naddr, conf->nlisten, &(struct conf_listen){
		    .addr = acc_addr[u],
		    .addrlen = sizeof acc_addr[u] }) < 0)
			(void)close(acc_pfd[u].fd);
	memcpy(acc_pfd, npfd, conf->nlisten * sizeof *npfd);
	memcpy(acc_addr, naddr, conf->nlisten * sizeof *naddr);
	for (u = 0; u < conf->nlisten; u++)
		acc_flags[u] = conf->listen[u].flags;
	acc_n = conf->nlisten;
	return (0);
}

/*--------------------------------------------------------------------
 * The listening sockets, for an upgrade to hand over.  Main thread.
 */

unsigned
ACC_Fds(int *fds, unsigned max)
{
	unsigned u;

	for (u = 0; u < acc_n && u < max; u++)
		fds[u] = acc_pfd[u].fd;
	return (u);
}

/*--------------------------------------------------------------------
 * Take listening sockets handed over by the process we replace, before
 * the first ACC_Open: it keeps those whose address is configured (as on
 * a reload) and closes the rest.  Main thread.
 */

void
ACC_Inherit(const int *fds, unsigned n)
{
	socklen_t sl;
	unsigned u;

	AZ(acc_n);
	for (u = 0; u < n && acc_n < ACC_MAXLISTEN; u++) {
		memset(&acc_addr[acc_n], 0, sizeof acc_addr[acc_n]);
		sl = sizeof acc_addr[acc_n];
		if (getsockname(fds[u], (struct sockaddr *)&acc_addr[acc_n],
		    &sl) != 0) {
			(void)close(fds[u]);
			continue;
		}
		(void)fcntl(fds[u], F_SETFL, O_NONBLOCK | O_RDWR);
		acc_pfd[acc_n].fd = fds[u];
		acc_pfd[acc_n].events = POLLIN;
		acc_n++;
	}
}

/*--------------------------------------------------------------------
 * Close every listener.
 */

void
ACC_Close(void)
{
	unsigned u;

	for (u = 0; u < acc_n; u++)
		(void)close(acc_pfd[u].fd);
	acc_n = 0;
}

/*--------------------------------------------------------------------
 * Out of descriptors: say so at most once every ACC_FDLOG seconds (it
 * may happen ten times a second for a while), with how often it
 * happened since; accept_fdlimit counts every time.  Accept threads.
 */

static void
acc_fdlimit_log(int e)
{
	static tim_mono last;		/* under acc_loglock */
	static unsigned since;
	static pthread_mutex_t acc_loglock = PTHREAD_MUTEX_INITIALIZER;
	tim_mono now = TIM_mono();
	unsigned n;

	AZ(pthread_mutex_lock(&acc_loglock));
	since++;
	if (last != 0. && now - last < ACC_FDLOG) {
		AZ(pthread_mutex_unlock(&acc_loglock));
		return;
	}
	n = since;
	since = 0;
	last = now;
	AZ(pthread_mutex_unlock(&acc_loglock));
	log_warnx("accept: %s: paused %u time(s) for want of descriptors "
	    "(said at most every %.0f s)", strerror(e), n, ACC_FDLOG);
}

/*--------------------------------------------------------------------
 * Take one connection from a listener and hand it on.  0 when the
 * listener has no more for now.
 */

static int
acc_one(int lfd, unsigned flags)
{
	union sockaddr_u peer;
	socklen_t sl = sizeof peer;
	struct conf *conf;
	struct sess *sp;
	unsigned n;
	int fd, one = 1;
	static const char busy[] = "HTTP/1.1 503 Service Unavailable\r\n"
	    "Content-Length: 0\r\nConnection: close\r\n\r\n";

	fd = accept4(lfd, &peer.sa, &sl, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (fd < 0) {
		if (errno == EMFILE || errno == ENFILE) {
			CNT_INC(&g_counters, accept_fdlimit);
			SES_Evict(ACC_EVICT);
			acc_fdlimit_log(errno);
			TIM_sleep(ACC_PAUSE);
		}
		return (0);
	}
	CNT_INC(&g_counters, sess_accepted);
	(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	conf = DMN_Conf();
	n = __atomic_load_n(&g_sessions, __ATOMIC_RELAXED);
	if (n >= conf->max_connections)
		SES_Evict(ACC_EVICT);	/* the oldest idle make room */
	if (n >= conf->max_connections + ACC_SLACK) {
		CNT_INC(&g_counters, sess_refused);
		CNT_INC(&g_counters, resp_5xx);
		(void)send(fd, busy, sizeof busy - 1, MSG_NOSIGNAL);
		(void)close(fd);
		CONF_Rel(&conf);
		return (1);
	}
	sp = SES_New(fd, &peer, conf);
	if (sp == NULL) {
		(void)close(fd);
		CONF_Rel(&conf);
		return (1);
	}
	if (flags & CONF_L_PROXY)
		sp->flags |= SES_F_PROXY;
	SES_Wait(sp);
	return (1);
}

/*--------------------------------------------------------------------
 * The accept thread.
 */

static void *
acc_thread(void *priv)
{
	unsigned u;

	(void)priv;
	for (;;) {
		if (poll(acc_pfd, acc_n + 1, -1) < 0) {
			if (errno != EINTR)
				log_warn("acc_thread: poll");
			continue;
		}
		if (acc_pfd[acc_n].revents != 0)
			break;
		for (u = 0; u < acc_n; u++)
			if (acc_pfd[u].revents != 0)
				while (acc_one(acc_pfd[u].fd, acc_flags[u]))
					continue;
	}
	return (NULL);
}

/*--------------------------------------------------------------------
 * Start and stop the accept thread.  Stopping it leaves the listening
 * sockets open: connections wait in their backlogs meanwhile.
 */

int
ACC_Start(void)
{
	char c;

	if (acc_pipe[0] < 0 && pipe2(acc_pipe, O_CLOEXEC | O_NONBLOCK) != 0)
		return (-1);
	while (read(acc_pipe[0], &c, 1) == 1)
		continue;
	acc_pfd[acc_n].fd = acc_pipe[0];
	acc_pfd[acc_n].events = POLLIN;
	errno = pthread_create(&acc_thr, NULL, acc_thread, NULL);
	if (errno != 0)
		return (-1);
	acc_running = 1;
	return (0);
}

static void
acc_pause(void)
{

	if (!acc_running)
		return;
	(void)write(acc_pipe[1], "x", 1);
	AZ(pthread_join(acc_thr, NULL));
	acc_running = 0;
}

void
ACC_Stop(void)
{

	acc_pause();
	ACC_Close();
	if (acc_pipe[0] >= 0) {
		(void)close(acc_pipe[0]);
		(void)close(acc_pipe[1]);
		acc_pipe[0] = acc_pipe[1] = -1;
	}
}

/*--------------------------------------------------------------------
 * A reload: the listeners of the new configuration.  0, or -1 with a
 * message in err (the old listeners stay, and keep accepting).
 */

int
ACC_Reload(const struct conf *conf, char *err, size_t errlen)
{
	int i;

	acc_pause();
	i = ACC_Open(conf, err, errlen);
	if (ACC_Start() != 0)
		log_warn("ACC_Reload: accept thread");
	return (i);
}
