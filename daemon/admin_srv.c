/*-
 * Copyright (c) 2026 The frontd authors
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * admin_srv.c -- the admin listener's connections.
 *
 * One thread and one listening socket (bind it to loopback: the numbers
 * say how busy the site is).  The thread is a small poll() loop over at
 * most ADM_MAXCONN connections, each with its own deadline: read one
 * request head of at most ADM_HEADMAX bytes and a body of at most
 * ADM_BODYMAX (413 beyond), answer (admin_api.c routes, admin.c
 * renders), close lingering -- the whole exchange within ADM_TIMEOUT;
 * a client that sent part of a request by then gets 408.  A request
 * that waits for a backend to empty (wait-empty) keeps its slot, out of
 * the eviction below, and is asked again every ADM_RECHECK; at most
 * ADM_MAXWAIT do at once, so that waiting never takes every slot.  A client
 * that connects and sends nothing therefore holds only its own slot, and
 * a scraper is answered at once however many of them there are; when
 * every slot is taken, the connection that has waited longest for its
 * request head is closed to make room.  Every answer carries
 * Content-Length and Connection: close.
 *
 * Rejected: one connection at a time with blocking reads (twenty silent
 * connections held a scrape off for forty seconds); serving the admin
 * port from a worker's event loop (a scrape would share a loop with
 * client traffic, and rendering would stall it); a thread per connection
 * (threads on demand for a port that needs none).
 */

#include <sys/socket.h>
#include <sys/uio.h>
#include <netinet/in.h>

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <netdb.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "frontd.h"
#include "admin.h"
#include "admin_priv.h"
#include "log.h"

#define ADM_TIMEOUT	2.0	/* seconds for one whole exchange */
#define ADM_LINGER	0.5	/* reading what the client still sends */
#define ADM_HEADMAX	8192
#define ADM_BODYMAX	1024	/* a PUT body: a word, a small object */
#define ADM_MAXCONN	32	/* connections served at once */
#define ADM_MAXWAIT	(ADM_MAXCONN / 2)	/* of them in wait-empty */
#define ADM_RECHECK	0.02	/* seconds between wait-empty checks */

enum adm_state {
	ADM_READ = 1,		/* reading the request head and body */
	ADM_WAITING,		/* wait-empty: asked again each ADM_RECHECK */
	ADM_WRITE,		/* sending the answer */
	ADM_CLOSING,		/* answer sent: drain, then close */
};

struct adm_conn {
	int		fd;
	enum adm_state	state;
	tim_mono	end;	/* deadline of the current state */
	size_t		have;	/* bytes in req */
	size_t		hend;	/* the head's length, 0 until it is in */
	size_t		clen;	/* the body's (Content-Length) */
	struct adm_req	ar;
	size_t		sent;	/* of head and body */
	size_t		hdlen;
	struct adm_out	body;
	char		hd[512];
	char		req[ADM_HEADMAX + ADM_BODYMAX + 1];
};

static int		adm_lfd = -1;
static int		adm_pipe[2] = { -1, -1 };	/* 'g'o, or stop */
static int		adm_on;
static pthread_t	adm_thr;
static struct adm_conn	*adm_conns[ADM_MAXCONN];
static unsigned		adm_nwait;	/* of them ADM_WAITING */
static int		adm_isloop;	/* listening on loopback only */

/*--------------------------------------------------------------------
 * Milliseconds left until 'end', for poll(); 0 once it passed.
 */

static int
adm_left(tim_mono end)
{
	tim_dur d = end - TIM_mono();

	return (d > 0. ? (int)(d * 1e3) + 1 : 0);
}

/*--------------------------------------------------------------------
 * Split "METHOD SP TARGET SP HTTP/1.x" in place into ar; the target's
 * query goes to ar->query.  0, or -1 when it is not a request line.
 */

static int
adm_reqline(char *buf, struct adm_req *ar)
{
	char *sp1, *sp2, *q;

	sp1 = strchr(buf, ' ');
	if (sp1 == NULL || sp1 == buf)
		return (-1);
	sp2 = strchr(sp1 + 1, ' ');
	if (sp2 == NULL || sp2[1 + strcspn(sp2 + 1, "\r\n")] == '\0' ||
	    strncmp(sp2 + 1, "HTTP/1.", 7) != 0)
		return (-1);
	*sp1 = *sp2 = '\0';
	if ((q = strchr(sp1 + 1, '?')) != NULL) {
		*q = '\0';
		ar->query = q + 1;
	}
	ar->method = buf;
	ar->path = sp1 + 1;
	return (0);
}

/*--------------------------------------------------------------------
 * The fields of the head (NUL-terminated, request line first) that
 * matter: Content-Length (*clen), Authorization, Transfer-Encoding (not
 * taken: 411).  0, or the status of an answer that says why not.
 */

static unsigned
adm_fields(char *p, struct adm_req *ar, size_t *clen)
{
	char *line, *v, *e;
	size_t l;
	int seen = 0;

	while (*p != '\0') {
		line = p;
		l = strcspn(p, "\n");
		p += l;
		if (*p == '\n')
			*p++ = '\0';
		if (l > 0 && line[l - 1] == '\r')
			line[l - 1] = '\0';
		if ((v = strchr(line, ':')) == NULL)
			continue;
		*v++ = '\0';
		v += strspn(v, " \t");
		if (!strcasecmp(line, "transfer-encoding"))
			return (411);
		if (!strcasecmp(line, "authorization"))
			ar->auth = v;
		if (strcasecmp(line, "content-length"))
			continue;
		if (seen++ || *v < '0' || *v > '9')
			return (400);
		*clen = strtoul(v, &e, 10);
		if (*e != '\0' && strspn(e, " \t") != strlen(e))
			return (400);
		if (*clen > ADM_BODYMAX)
			return (413);
	}
	return (0);
}

/*--------------------------------------------------------------------
 * Close a connection and free its slot.
 */

static void
adm_drop(struct adm_conn **cp)
{
	struct adm_conn *c = *cp;

	*cp = NULL;
	if (c->state == ADM_WAITING)
		adm_nwait--;
	(void)close(c->fd);
	free(c->body.p);
	free(c);
}

/*--------------------------------------------------------------------
 * The reason phrase of a status.
 */

static const char *
adm_reason(unsigned status)
{

	switch (status) {
	case 200: return ("OK");
	case 400: return ("Bad Request");
	case 403: return ("Forbidden");
	case 404: return ("Not Found");
	case 405: return ("Method Not Allowed");
	case 408: return ("Request Timeout");
	case 411: return ("Length Required");
	case 413: return ("Content Too Large");
	case 431: return ("Request Header Fields Too Large");
	case 503: return ("Service Unavailable");
	default: return ("Internal Server Error");
	}
}

/*--------------------------------------------------------------------
 * The answer is rendered (or the request is refused): make its head,
 * go write it, within ADM_TIMEOUT from now.
 */

static void
adm_reply(struct adm_conn *c, unsigned status, tim_mono now)
{
	const char *ctype = c->ar.ctype;
	int l;

	if (c->state == ADM_WAITING)
		adm_nwait--;
	if (status == 500 || ctype == NULL) {
		c->body.len = 0;
		c->body.fail = 0;
		if (status != 500)
			ADM_Printf(&c->body, "%s\n", adm_reason(status));
		ctype = "text/plain; charset=utf-8";
	}
	l = snprintf(c->hd, sizeof c->hd, "HTTP/1.1 %u %s\r\n"
	    "Content-Type: %s\r\nContent-Length: %zu\r\n"
	    "Cache-Control: no-store\r\n%s%s%sConnection: close\r\n\r\n",
	    status, adm_reason(status), ctype, c->body.len,
	    status == 405 ? "Allow: " : "",
	    status == 405 && c->ar.allow != NULL ? c->ar.allow : "",
	    status == 405 ? "\r\n" : "");
	assert(l > 0 && (size_t)l < sizeof c->hd);
	c->hdlen = (size_t)l;
	if (c->ar.method != NULL && strcmp(c->ar.method, "HEAD") == 0)
		c->body.len = 0;
	c->state = ADM_WRITE;
	c->end = now + ADM_TIMEOUT;
}

/*--------------------------------------------------------------------
 * The whole request is in: answer it, or (wait-empty) wait in the slot
 * and be asked again on the next round.
 */

static void
adm_serve(struct adm_conn *c, tim_mono now)
{
	unsigned status;

	status = ADM_Route(&c->ar, &c->body);
	if (status != ADM_WAIT) {
		adm_reply(c, status, now);
		return;
	}
	AZ(c->body.len);
	if (c->state == ADM_WAITING)
		return;
	if (adm_nwait >= ADM_MAXWAIT) {
		c->ar.ctype = NULL;
		adm_reply(c, 503, now);
		return;
	}
	adm_nwait++;
	c->state = ADM_WAITING;
	c->end = c->ar.deadline + ADM_TIMEOUT;
}

/*--------------------------------------------------------------------
 * The head is in c->req up to c->hend: parse it.  0, or the status of
 * a refusal.
 */

static unsigned
adm_head(struct adm_conn *c)
{
	char save, *fields;
	unsigned st;

	save = c->req[c->hend];
	c->req[c->hend] = '\0';
	fields = c->req + strcspn(c->req, "\n");	/* after the request line */
	if (*fields == '\n')
		fields++;
	if (adm_reqline(c->req, &c->ar) != 0)
		st = 400;
	else
		st = adm_fields(fields, &c->ar, &c->clen);
	c->req[c->hend] = save;
	return (st);
}

/*--------------------------------------------------------------------
 * ADM_READ: take what the client sent; once the head and the body it
 * announces are in, answer.  -1 to close.
 */

static int
adm_read(struct adm_conn *c, tim_mono now)
{
	const char *e;
	unsigned st;
	ssize_t n;

	n = read(c->fd, c->req + c->have, (c->hend == 0 ? ADM_HEADMAX :
	    c->hend + c->clen) - c->have);
	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return (0);
	if (n <= 0)
		return (-1);
	c->have += (size_t)n;
	c->req[c->have] = '\0';
	if (c->hend == 0) {
		if ((e = memmem(c->req, c->have, "\r\n\r\n", 4)) != NULL)
			c->hend = (size_t)(e - c->req) + 4;
		else if ((e = memmem(c->req, c->have, "\n\n", 2)) != NULL)
			c->hend = (size_t)(e - c->req) + 2;
		else {
			if (c->have == ADM_HEADMAX)
				adm_reply(c, 431, now);
			return (0);
		}
		if ((st = adm_head(c)) != 0) {
			adm_reply(c, st, now);
			return (0);
		}
	}
	if (c->have < c->hend + c->clen)
		return (0);
	c->ar.body = c->req + c->hend;
	c->ar.bodylen = c->clen;
	adm_serve(c, now);
	return (0);
}
/*--------------------------------------------------------------------
 * ADM_WRITE: send what is left of head and body; -1 to close.  Once all
 * is out: stop sending and drain what the client still sends for a
 * short while, so that the close does not reset the answer away.
 */

static int
adm_write(struct adm_conn *c, tim_mono now)
{
	struct iovec iov[2];
	ssize_t n;
	int niov = 0;

	if (c->sent < c->hdlen) {
		iov[niov].iov_base = c->hd + c->sent;
		iov[niov++].iov_len = c->hdlen - c->sent;
	}
	if (c->body.len > 0 && c->sent < c->hdlen + c->body.len) {
		iov[niov].iov_base = c->body.p + (c->sent > c->hdlen ?
		    c->sent - c->hdlen : 0);
		iov[niov++].iov_len = c->hdlen + c->body.len -
		    (c->sent > c->hdlen ? c->sent : c->hdlen);
	}
	if (niov > 0) {
		n = writev(c->fd, iov, niov);
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			return (0);
		if (n < 0)
			return (-1);
		c->sent += (size_t)n;
	}
	if (c->sent < c->hdlen + c->body.len)
		return (0);
	(void)shutdown(c->fd, SHUT_WR);
	c->state = ADM_CLOSING;
	if (c->end > now + ADM_LINGER)
		c->end = now + ADM_LINGER;
	return (0);
}

/*--------------------------------------------------------------------
 * ADM_CLOSING: drop what arrives; -1 once the client closed.
 */

static int
adm_drain(struct adm_conn *c)
{
	char buf[4096];
	ssize_t n;

	do
		n = read(c->fd, buf, sizeof buf);
	while (n > 0 || (n < 0 && errno == EINTR));
	return (n < 0 && errno == EAGAIN ? 0 : -1);
}

/*--------------------------------------------------------------------
 * Events for one connection, or revents 0: its deadline passed, or a
 * waiting one is to be asked again.
 */

static void
adm_io(struct adm_conn **cp, short revents, tim_mono now)
{
	struct adm_conn *c = *cp;
	int r = 0;

	if (revents != 0 && c->state == ADM_READ)
		r = adm_read(c, now);
	else if (revents != 0 && c->state != ADM_WRITE)
		r = adm_drain(c);	/* ADM_WAITING too: EOF ends it */
	if (r == 0 && c->state == ADM_WAITING)
		adm_serve(c, now);	/* empty yet? */
	if (r == 0 && c->state == ADM_WRITE && revents != 0)
		r = adm_write(c, now);
	if (r == 0 && now >= c->end && c->state == ADM_READ && c->have > 0) {
		adm_reply(c, 408, now);	/* a slow client is told */
		c->end = now + ADM_LINGER;
		return;
	}
	if (r != 0 || now >= c->end)
		adm_drop(cp);
}

/*--------------------------------------------------------------------
 * A free slot; when there is none, the connection that has waited
 * longest for its request head gives up its own.  -1: none at all.
 */

static int
adm_slot(void)
{
	int i, old = -1;

	for (i = 0; i < ADM_MAXCONN; i++) {
		if (adm_conns[i] == NULL)
			return (i);
		if (adm_conns[i]->state == ADM_READ && (old < 0 ||
		    adm_conns[i]->end < adm_conns[old]->end))
			old = i;
	}
	if (old >= 0)
		adm_drop(&adm_conns[old]);
	return (old);
}

/*--------------------------------------------------------------------
 * Accept what is waiting on the listening socket.
 */

static void
adm_accept(tim_mono now)
{
	struct adm_conn *c;
	int fd, i, n;

	for (n = 0; n < ADM_MAXCONN; n++) {
		fd = accept4(adm_lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0)
			return;
		c = calloc(1, sizeof *c);
		if (c != NULL)
			c->body.p = malloc(c->body.cap = 16384);
		if (c == NULL || c->body.p == NULL || (i = adm_slot()) < 0) {
			if (c != NULL)
				free(c->body.p);
			free(c);
			(void)close(fd);
			continue;
		}
		c->fd = fd;
		c->state = ADM_READ;
		c->end = now + ADM_TIMEOUT;
		adm_conns[i] = c;
	}
}

/*--------------------------------------------------------------------
 * The admin thread: once ADM_Open says the daemon is up (the numbers
 * it reports exist), serve connections until the stop byte comes, then
 * close what is still open.  Before that, connections wait in the
 * listen queue.
 */

static void *
adm_run(void *priv)
{
	struct pollfd pfd[ADM_MAXCONN + 2];
	int slot[ADM_MAXCONN + 2];
	tim_mono next, now;
	int i, n, serving = 0;
	char c;

	(void)priv;
	for (;;) {
		pfd[0].fd = adm_pipe[0];
		pfd[1].fd = serving ? adm_lfd : -1;	/* not before ADM_Open */
		pfd[0].events = pfd[1].events = POLLIN;
		next = adm_nwait > 0 ? TIM_mono() + ADM_RECHECK : INFINITY;
		for (i = 0, n = 2; i < ADM_MAXCONN; i++) {
			if (adm_conns[i] == NULL)
				continue;
			pfd[n].fd = adm_conns[i]->fd;
			pfd[n].events = adm_conns[i]->state == ADM_WRITE ?
			    POLLOUT : POLLIN;
			slot[n++] = i;
			if (adm_conns[i]->end < next)
				next = adm_conns[i]->end;
		}
		if (poll(pfd, (nfds_t)n, isinf(next) ? -1 : adm_left(next)) < 0) {
			if (errno != EINTR)
				TIM_sleep(0.1);
			continue;
		}
		if (pfd[0].revents != 0) {
			if (read(adm_pipe[0], &c, 1) == 1 && c == 'g') {
				serving = 1;
				continue;
			}
			break;
		}
		now = TIM_mono();
		for (i = 2; i < n; i++)
			adm_io(&adm_conns[slot[i]], pfd[i].revents, now);
		if (pfd[1].revents != 0)
			adm_accept(now);
	}
	for (i = 0; i < ADM_MAXCONN; i++)
		if (adm_conns[i] != NULL)
			adm_drop(&adm_conns[i]);
	return (NULL);
}

/*--------------------------------------------------------------------
 * Parse "IPv4:port", "[IPv6]:port" or "*:port" (numeric only).  NULL,
 * or why not.
 */

static const char *
adm_addr(const char *spec, struct sockaddr_storage *ss, socklen_t *lenp)
{
	struct addrinfo hints, *res;
	char host[128];
	const char *p, *h = spec;
	size_t hl;

	if (*spec == '[') {
		h++;
		p = strchr(h, ']');
		if (p == NULL || p[1] != ':')
			return ("want [IPv6]:port");
		hl = (size_t)(p++ - h);
	} else if ((p = strrchr(spec, ':')) != NULL)
		hl = (size_t)(p - h);
	else
		return ("no port (want IPv4:port or [IPv6]:port)");
	if (hl == 0 || hl >= sizeof host || p[1] == '\0' ||
	    strspn(p + 1, "0123456789") != strlen(p + 1) || atoi(p + 1) < 1 ||
	    atoi(p + 1) > 65535)
		return ("want an address and a port from 1 to 65535");
	memcpy(host, h, hl);
	host[hl] = '\0';
	memset(&hints, 0, sizeof hints);
	hints.ai_family = *spec == '[' ? AF_INET6 : AF_INET;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV | AI_PASSIVE;
	if (getaddrinfo(strcmp(host, "*") == 0 ? NULL : host, p + 1, &hints,
	    &res) != 0)
		return ("not a numeric address");
	assert(res->ai_addrlen <= sizeof *ss);
	memcpy(ss, res->ai_addr, res->ai_addrlen);
	*lenp = res->ai_addrlen;
	freeaddrinfo(res);
	return (NULL);
}

/*--------------------------------------------------------------------
 * Is the address a loopback one?
 */

static int
adm_loopback(const struct sockaddr_storage *ss)
{
	const struct sockaddr_in *sin;
	const struct sockaddr_in6 *sin6;

	if (ss->ss_family == AF_INET) {
		sin = (const struct sockaddr_in *)(const void *)ss;
		return ((ntohl(sin->sin_addr.s_addr) >> 24) == 127);
	}
	sin6 = (const struct sockaddr_in6 *)(const void *)ss;
	return (IN6_IS_ADDR_LOOPBACK(&sin6->sin6_addr));
}

/*--------------------------------------------------------------------
 * Is the listener on loopback (see admin_priv.h)?  Set before the
 * admin thread starts, read by it.
 */

int
ADM_Loopback(void)
{

	return (adm_isloop);
}

/*--------------------------------------------------------------------
 * Upgrades: our listening socket, and one inherited from the process
 * we replace, used if it has the configured address.
 */

static int adm_inh = -1;

int
ADM_Fd(void)
{

	return (adm_on ? adm_lfd : -1);
}

void
ADM_Inherit(int fd)
{

	adm_inh = fd;
}

static int
adm_inherited(const struct sockaddr_storage *ss, socklen_t len)
{
	struct sockaddr_storage got;
	socklen_t gl = sizeof got;
	int fd = adm_inh;

	adm_inh = -1;
	if (fd < 0)
		return (-1);
	memset(&got, 0, sizeof got);
	if (getsockname(fd, (struct sockaddr *)&got, &gl) == 0 &&
	    gl == len && memcmp(&got, ss, len) == 0)
		return (fd);
	(void)close(fd);
	return (-1);
}

/*--------------------------------------------------------------------
 * Open the listening socket for spec.  The descriptor, or -1 with
 * 'err' filled in.
 */

static int
adm_listen(const char *spec, char *err, size_t errlen)
{
	struct sockaddr_storage ss;
	const char *why;
	socklen_t len;
	int fd, one = 1;

	if ((why = adm_addr(spec, &ss, &len)) != NULL) {
		(void)snprintf(err, errlen, "admin_listen %s: %s", spec, why);
		return (-1);
	}
	adm_isloop = adm_loopback(&ss);
	if ((fd = adm_inherited(&ss, len)) >= 0)
		return (fd);
	fd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    0);
	if (fd < 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) != 0 ||
	    (ss.ss_family == AF_INET6 && setsockopt(fd, IPPROTO_IPV6,
	    IPV6_V6ONLY, &one, sizeof one) != 0) ||
	    bind(fd, (struct sockaddr *)&ss, len) != 0 || listen(fd, 64) != 0) {
		(void)snprintf(err, errlen, "admin_listen %s: %s", spec,
		    strerror(errno));
		if (fd >= 0)
			(void)close(fd);
		return (-1);
	}
	if (!adm_isloop)
		log_warnx("admin_listen %s: not a loopback address; anyone "
		    "who reaches it sees the counters, and backend state "
		    "changes need admin_token_file", spec);
	return (fd);
}

/*--------------------------------------------------------------------
 * Main thread: listen on spec and start the admin thread (see admin.h).
 */

int
ADM_Start(const char *spec, char *err, size_t errlen)
{
	sigset_t all, old;
	int e;

	AN(spec);
	if (adm_on) {
		(void)snprintf(err, errlen, "admin_listen %s: already running",
		    spec);
		return (-1);
	}
	if ((adm_lfd = adm_listen(spec, err, errlen)) < 0)
		return (-1);
	if (pipe2(adm_pipe, O_CLOEXEC) != 0) {
		e = errno;
		goto fail;
	}
	(void)sigfillset(&all);
	AZ(pthread_sigmask(SIG_SETMASK, &all, &old));
	e = pthread_create(&adm_thr, NULL, adm_run, NULL);
	AZ(pthread_sigmask(SIG_SETMASK, &old, NULL));
	if (e == 0) {
		adm_on = 1;
		return (0);
	}
	(void)close(adm_pipe[0]);
	(void)close(adm_pipe[1]);
fail:
	(void)close(adm_lfd);
	adm_lfd = adm_pipe[0] = adm_pipe[1] = -1;
	(void)snprintf(err, errlen, "admin_listen %s: %s", spec, strerror(e));
	return (-1);
}

/*--------------------------------------------------------------------
 * Main thread: everything the admin reports is there; start answering
 * (see admin.h).
 */

void
ADM_Open(void)
{

	if (!adm_on)
		return;
	while (write(adm_pipe[1], "g", 1) < 0 && errno == EINTR)
		continue;
}

/*--------------------------------------------------------------------
 * Main thread: stop the admin thread, close its socket (see admin.h).
 */

void
ADM_Stop(void)
{

	if (!adm_on)
		return;
	while (write(adm_pipe[1], "x", 1) < 0 && errno == EINTR)
		continue;
	AZ(pthread_join(adm_thr, NULL));
	(void)close(adm_lfd);
	(void)close(adm_pipe[0]);
	(void)close(adm_pipe[1]);
	adm_lfd = adm_pipe[0] = adm_pipe[1] = -1;
	adm_on = 0;
}
