/*-
 * Copyright (c) 2026 The frontd authors
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * ses_proxy.c -- the PROXY header in front of a session's first request,
 * on a listener with the proxy_protocol option.
 *
 * The idle waiter reads it as part of the first head: bytes go into the
 * session's receive buffer (HTC_Fill), lib/proxyproto.c judges what has
 * arrived so far, and once the header is complete it is consumed and the
 * bytes behind it -- often the whole first request, sent in the same
 * segment -- stay in the buffer for the head parser.  A header split
 * across segments simply waits for more, under timeout_req from the
 * accept.  Until the header is complete nothing is ever sent to the
 * peer: a port that requires the header answers nothing else, so a
 * malformed, oversized, missing or late header closes the connection
 * with a counted cause and a logged line (at most one a second for each
 * cause, with how many there were, since a misconfigured balancer sends
 * thousands).
 *
 * The header's source address replaces the session's peer address, so
 * logs, X-Forwarded-For and trusted_proxies see the client.  A v2 LOCAL
 * header (a balancer's own health check) or a v1 UNKNOWN one keeps the
 * peer's address, as the spec asks.
 */

#include <errno.h>
#include <pthread.h>
#include <string.h>

#include "frontd.h"
#include "log.h"
#include "proxyproto.h"

#define SPX_LOGGAP	1.	/* seconds between two lines of a cause */

enum spx_cause {
	SPX_BAD = 0,
	SPX_TOO_LARGE,
	SPX_CUT,
	SPX_TIMEOUT,
	SPX__MAX
};

static const char * const spx_why[SPX__MAX] = {
	[SPX_BAD] = "malformed or missing",
	[SPX_TOO_LARGE] = "too large",
	[SPX_CUT] = "cut short by the peer",
	[SPX_TIMEOUT] = "not complete within timeout_req",
};

static pthread_mutex_t	spx_mtx = PTHREAD_MUTEX_INITIALIZER;
static tim_mono		spx_last[SPX__MAX];	/* under spx_mtx */
static unsigned		spx_since[SPX__MAX];

/*--------------------------------------------------------------------
 * Count a refused header and say so, at most once a second per cause.
 */

static void
spx_fail(const struct sess *sp, enum spx_cause c)
{
	char peer[INET6_ADDRSTRLEN];
	tim_mono now = TIM_mono();
	unsigned n;

	assert(c < SPX__MAX);
	switch (c) {
	case SPX_TOO_LARGE:	CNT_INC(&g_counters, proxy_too_large); break;
	case SPX_TIMEOUT:	CNT_INC(&g_counters, proxy_timeout); break;
	default:		CNT_INC(&g_counters, proxy_bad); break;
	}
	AZ(pthread_mutex_lock(&spx_mtx));
	spx_since[c]++;
	if (spx_last[c] != 0. && now - spx_last[c] < SPX_LOGGAP) {
		AZ(pthread_mutex_unlock(&spx_mtx));
		return;
	}
	n = spx_since[c];
	spx_since[c] = 0;
	spx_last[c] = now;
	AZ(pthread_mutex_unlock(&spx_mtx));
	SES_PeerText(sp, peer, sizeof peer);
	log_warnx("ses_proxy: PROXY header %s, from %s (%u such since the "
	    "last line)", spx_why[c], peer, n);
}

/*--------------------------------------------------------------------
 * Take the addresses of a complete header.
 */

static void
spx_apply(struct sess *sp, const struct pp_hdr *h)
{

	CNT_INC(&g_counters, proxy_hdr);
	if (h->family == AF_INET)
		memcpy(&sp->peer.sin, &h->src, sizeof sp->peer.sin);
	else if (h->family == AF_INET6)
		memcpy(&sp->peer.sin6, &h->src, sizeof sp->peer.sin6);
	else
		CNT_INC(&g_counters, proxy_local);
}

/*--------------------------------------------------------------------
 * One read towards the PROXY header of a session that waits for it.
 * 1: the header is complete and consumed, and whatever came behind it
 * is buffered; 0: wait for more; -1: close the session with *sc (the
 * refusal is counted and logged).  Thread: the idle waiter that owns
 * the session and hp.
 */

int
SES_ProxyRx(struct sess *sp, struct htc_pool *hp, enum sess_close *sc)
{
	struct pp_hdr h;
	enum pp_status st;
	ssize_t r;

	CHECK_OBJ_NOTNULL(sp, SESS_MAGIC);
	assert(sp->flags & SES_F_PROXY);
	r = HTC_Fill(&sp->htc, hp, sp->fd);
	if (r < 0 && errno != EAGAIN && errno != EWOULDBLOCK &&
	    errno != EINTR) {
		*sc = SC_RX_ERROR;
		return (-1);
	}
	st = PP_Parse(HTC_Ptr(&sp->htc), HTC_Avail(&sp->htc), &h);
	if (st == PP_MORE && r == 0) {
		if (HTC_Avail(&sp->htc) == 0) {
			*sc = SC_REM_CLOSE;	/* a connect-only check */
			return (-1);
		}
		spx_fail(sp, SPX_CUT);
		*sc = SC_PROXY_BAD;
		return (-1);
	}
	if (st == PP_MORE)
		return (0);
	if (st != PP_COMPLETE) {
		spx_fail(sp, st == PP_TOO_LARGE ? SPX_TOO_LARGE : SPX_BAD);
		*sc = SC_PROXY_BAD;
		return (-1);
	}
	spx_apply(sp, &h);
	HTC_Consume(&sp->htc, hp, h.len);
	sp->flags &= ~SES_F_PROXY;
	return (1);
}

/*--------------------------------------------------------------------
 * The header did not come in time: count and log.  The caller closes.
 */

void
SES_ProxyTimeout(const struct sess *sp)
{

	CHECK_OBJ_NOTNULL(sp, SESS_MAGIC);
	spx_fail(sp, SPX_TIMEOUT);
}
