/*-
 * Copyright (c) 2026 The frontd authors
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * proxy_head.c -- the heads the proxy writes, and the access log record
 * of a transaction.
 *
 * The request head goes to the backend as HTTP/1.1, rewritten from the
 * client's: the request line, the end-to-end fields in their order, then
 * the framing and the fields the proxy sets itself (Via,
 * X-Forwarded-For, X-Forwarded-Proto).  Hop-by-hop fields -- Connection
 * and every field it names, Keep-Alive, Proxy-Connection, TE, Trailer,
 * Transfer-Encoding, Upgrade -- are dropped; a client's own
 * X-Forwarded-*, Forwarded and X-Real-IP are replaced.  Content-Length
 * and Host are never dropped, whatever Connection names: the proxy frames
 * the body with them (CVE-2022-45059).  The response head goes to the
 * client the same way, with the framing the proxy chose for it.
 *
 * Both are written into the transaction's own buffer, span by span, with
 * no formatting call; the spans the access log needs (method, target,
 * Host, Referer, User-Agent) are recorded on the way, so the client's
 * receive buffer can be reused before the request ends.
 */

#include <sys/socket.h>

#include <string.h>

#include "frontd.h"
#include "proxyproto.h"
#include "alog.h"
#include "conf.h"
#include "proxy_priv.h"

static const char px_crlf[] = "\r\n";

/* Fields never forwarded as such, in either direction. */
static const char * const px_hop[] = {
	"connection", "keep-alive", "proxy-connection", "te", "trailer",
	"transfer-encoding", "upgrade", NULL
};

/* Request fields the proxy sets itself. */
static const char * const px_req_own[] = {
	"x-forwarded-for", "x-forwarded-proto", "forwarded", "x-real-ip",
	NULL
};

/* ... from a trusted proxy: its X-Forwarded-Proto stands. */
static const char * const px_req_own_trusted[] = {
	"x-forwarded-for", "forwarded", "x-real-ip", NULL
};

/*--------------------------------------------------------------------
 * Append to a head being composed; 0 or -1 when it does not fit.
 */

struct px_buf {
	char		*p;
	size_t		len;
	size_t		cap;
};

static int
px_put(struct px_buf *pb, const char *s, size_t n)
{

	if (pb->len + n > pb->cap)
		return (-1);
	memcpy(pb->p + pb->len, s, n);
	pb->len += n;
	return (0);
}

static int
px_puts(struct px_buf *pb, const char *s)
{

	return (px_put(pb, s, strlen(s)));
}

/* A string literal, its length known at compile time. */
#define PX_PUTL(pb, lit)	px_put((pb), (lit), sizeof (lit) - 1)

/*--------------------------------------------------------------------
 * Is field f one of the names in list, or named by the Connection field?
 */

static int
px_field_in(const char *base, const struct h1_field *f,
    const char * const *list)
{

	for (; *list != NULL; list++)
		if (H1_SpanIs(base, &f->name, *list))
			return (1);
	return (0);
}

static int
px_conn_names(const struct h1_head *h, const char *base,
    const struct h1_field *f)
{
	const struct h1_field *c;
	unsigned idx = 0;
	char name[64];

	if (f->name.len >= sizeof name)
		return (0);
	/*
	 * Framing and Host are never the peer's to strip: the proxy frames
	 * each side with them (CVE-2022-45059, "Connection: content-length").
	 */
	if (H1_SpanIs(base, &f->name, "content-length") ||
	    H1_SpanIs(base, &f->name, "host"))
		return (0);
	memcpy(name, base + f->name.off, f->name.len);
	name[f->name.len] = '\0';
	while ((c = H1_Find(h, base, "connection", &idx)) != NULL)
		if (H1_ListHas(base, &c->value, name))
			return (1);
	return (0);
}

/*--------------------------------------------------------------------
 * Copy the end-to-end fields of a head, dropping hop-by-hop ones and
 * those in 'own'.  Upgrade is kept when 'upgrade' is set.
 */

static void
px_lg_span(struct h1_span *sp, const struct px_buf *pb, size_t len)
{

	sp->off = (unsigned)(pb->len - len);
	sp->len = (unsigned)len;
}

static int
px_put_fields(struct px_buf *pb, const struct h1_head *h, const char *base,
    const char * const *own, int upgrade, struct txn *lg)
{
	const struct h1_field *f;
	struct h1_span *ls;
	unsigned u;

	for (u = 0; u < h->nfield; u++) {
		f = &h->field[u];
		if (upgrade && H1_SpanIs(base, &f->name, "upgrade")) {
			/* kept as is */
		} else if (px_field_in(base, f, px_hop) ||
		    (own != NULL && px_field_in(base, f, own)) ||
		    px_conn_names(h, base, f))
			continue;
		if (px_put(pb, base + f->name.off, f->name.len) ||
		    px_put(pb, ": ", 2) ||
		    px_put(pb, base + f->value.off, f->value.len))
			return (-1);
		ls = NULL;
		if (lg != NULL && H1_SpanIs(base, &f->name, "host"))
			ls = &lg->lg_host;
		else if (lg != NULL && H1_SpanIs(base, &f->name, "referer"))
			ls = &lg->lg_ref;
		else if (lg != NULL &&
		    H1_SpanIs(base, &f->name, "user-agent"))
			ls = &lg->lg_ua;
		if (ls != NULL)
			px_lg_span(ls, pb, f->value.len);
		if (px_put(pb, px_crlf, 2))
			return (-1);
	}
	return (0);
}


/*--------------------------------------------------------------------
 * X-Forwarded-For and X-Forwarded-Proto, as one field line each.  From
 * a trusted proxy the client's X-Forwarded-For lines are combined and
 * the peer appended, and its X-Forwarded-Proto (copied with the other
 * fields) is kept; from any other peer both are the proxy's own.
 */

static int
px_put_forwarded(struct px_buf *pb, const struct txn *txn,
    const struct h1_head *h, const char *base)
{
	const struct h1_field *f;
	char peer[INET6_ADDRSTRLEN];
	unsigned idx = 0;

	SES_PeerText(txn->sp, peer, sizeof peer);
	if (PX_PUTL(pb, "X-Forwarded-For: "))
		return (-1);
	while (txn->trusted &&
	    (f = H1_Find(h, base, "x-forwarded-for", &idx)) != NULL) {
		if (f->value.len > 0 &&
		    (px_put(pb, base + f->value.off, f->value.len) ||
		    PX_PUTL(pb, ", ")))
			return (-1);
	}
	if (px_puts(pb, peer) || px_put(pb, px_crlf, 2))
		return (-1);
	idx = 0;
	if (txn->trusted && H1_Find(h, base, "x-forwarded-proto", &idx))
		return (0);
	return (PX_PUTL(pb, "X-Forwarded-Proto: http\r\n"));
}

/*--------------------------------------------------------------------
 * A PROXY header first, for a backend with send_proxy: the client (as
 * the access log has it) and the address it reached.  Such connections
 * carry one request and are never pooled (BE_Recycle): the spec forbids
 * one connection to speak for several clients, and a pool keyed by
 * client address would hold an idle connection per client for a rare
 * second request.
 */

static size_t
px_put_proxy(char *p, size_t cap, const struct txn *txn, unsigned v)
{
	const union sockaddr_u *src = &txn->client;
	union sockaddr_u dst;
	socklen_t sl = sizeof dst;

	memset(&dst, 0, sizeof dst);
	if (getsockname(txn->sp->fd, &dst.sa, &sl) != 0 ||
	    dst.sa.sa_family != src->sa.sa_family) {
		memset(&dst, 0, sizeof dst);	/* v4 client, v6 listener */
		dst.sa.sa_family = src->sa.sa_family;
	}
	return (PP_Write(p, cap, v, &src->sa, &dst.sa));
}

/*--------------------------------------------------------------------
 * The backend is chosen: put the request head at the front of the
 * output, behind a PROXY header if the backend wants one.
 */

void
PXH_ReqOut(struct txn *txn)
{
	char pp[PX_PPROOM];
	unsigned v = BE_Conf(txn->bp)->send_proxy;
	size_t n = 0;

	if (v != 0) {
		n = px_put_proxy(pp, sizeof pp, txn, v);
		AN(n);			/* PX_PPROOM holds any of ours */
		memcpy(txn->buf + PX_PPROOM - n, pp, n);
	}
	txn->out.v[OUT_HEAD].iov_base = txn->buf + PX_PPROOM - n;
	txn->out.v[OUT_HEAD].iov_len = txn->qlen + n;
}

/*--------------------------------------------------------------------
 * The Host of an HTTP/1.0 request that had none, composed before its
 * backend is chosen: the address of a lone backend, or else the name of
 * the director (nginx's $proxy_host of an upstream group).
 */

static const char *
px_host(const struct txn *txn)
{
	const struct conf_director *cd = txn->cdir;

	if (cd == NULL)
		return ("");
	if (cd->nmember == 1)
		return (txn->sp->conf->backend[cd->member[0]].address);
	return (cd->name);
}

/*--------------------------------------------------------------------
 * Compose the request head for the backend into buf.  0, or -1 when it
 * does not fit.
 */

int
PXH_ComposeReq(struct txn *txn, const struct h1_head *h, const char *base)
{
	struct px_buf pb;

	pb.p = txn->buf;
	pb.len = PX_PPROOM;		/* room for a PROXY header */
	pb.cap = txn->size / 3;
	if (px_put(&pb, base + h->method_s.off, h->method_s.len))
		return (-1);
	px_lg_span(&txn->lg_method, &pb, h->method_s.len);
	if (px_put(&pb, " ", 1) ||
	    px_put(&pb, base + h->target.off, h->target.len))
		return (-1);
	px_lg_span(&txn->lg_target, &pb, h->target.len);
	if (PX_PUTL(&pb, " HTTP/1.1\r\n") ||
	    px_put_fields(&pb, h, base, txn->trusted ? px_req_own_trusted :
	    px_req_own, txn->upgrade, txn))
		return (-1);
	if (txn->upgrade && PX_PUTL(&pb, "Connection: upgrade\r\n"))
		return (-1);
	if (h->nhost == 0 && (PX_PUTL(&pb, "Host: ") ||
	    px_puts(&pb, px_host(txn)) || px_put(&pb, px_crlf, 2)))
		return (-1);		/* HTTP/1.0 without Host: ours */
	if (txn->req.kind == H1B_CHUNKED &&
	    PX_PUTL(&pb, "Transfer-Encoding: chunked\r\n"))
		return (-1);
	if ((h->vminor == 0 ? PX_PUTL(&pb, "Via: 1.0 frontd\r\n") :
	    PX_PUTL(&pb, "Via: 1.1 frontd\r\n")) ||
	    px_put_forwarded(&pb, txn, h, base) || px_put(&pb, px_crlf, 2))
		return (-1);
	txn->qlen = pb.len - PX_PPROOM;
	return (0);
}

/*--------------------------------------------------------------------
 * Compose the response head for the client into the second third of
 * buf, and queue it as the head of the output.
 */

int
PXH_ComposeResp(struct txn *txn, const struct h1_head *h, const char *base)
{
	struct px_buf pb;
	char line[16];
	int is101;

	pb.p = txn->buf + txn->size / 3;
	pb.len = 0;
	pb.cap = txn->size / 3;
	if (__atomic_load_n(&g_closing, __ATOMIC_RELAXED))
		txn->keep_client = 0;	/* stopping: the client goes elsewhere */
	is101 = h->status == 101;
	assert(h->status >= 100 && h->status <= 999);
	memcpy(line, "HTTP/1.1 ", 9);
	line[9] = (char)('0' + h->status / 100);
	line[10] = (char)('0' + h->status / 10 % 10);
	line[11] = (char)('0' + h->status % 10);
	line[12] = ' ';
	if (px_put(&pb, line, 13) ||
	    px_put(&pb, base + h->reason.off, h->reason.len) ||
	    px_put(&pb, px_crlf, 2) ||
	    px_put_fields(&pb, h, base, NULL, is101, NULL))
		return (-1);
	if (is101) {
		if (PX_PUTL(&pb, "Connection: upgrade\r\n"))
			return (-1);
	} else if (h->status >= 200) {
		if (txn->mode == MODE_CHUNK ||
		    (txn->mode == MODE_PASS && txn->resp.kind == H1B_CHUNKED))
			if (PX_PUTL(&pb, "Transfer-Encoding: chunked\r\n"))
				return (-1);
		if (!txn->keep_client) {
			if (PX_PUTL(&pb, "Connection: close\r\n"))
				return (-1);
		} else if (txn->client_10) {
			if (PX_PUTL(&pb, "Connection: keep-alive\r\n"))
				return (-1);
		}
	}
	if (px_put(&pb, px_crlf, 2))
		return (-1);
	txn->out.v[OUT_HEAD].iov_base = pb.p;
	txn->out.v[OUT_HEAD].iov_len = pb.len;
	return (0);
}

/*--------------------------------------------------------------------
 * One access log line for this transaction.
 */

static void
px_lg_str(const struct txn *txn, const struct h1_span *sp, const char **p,
    size_t *len)
{

	*p = sp->len > 0 ? txn->buf + sp->off : NULL;
	*len = sp->len;
}

void
PXH_Log(const struct txn *txn, unsigned status, enum sess_close sc)
{
	const struct sess *sp = txn->sp;
	char peer[INET6_ADDRSTRLEN];
	struct alog_rec r;
	tim_mono now;

	if (!__atomic_load_n(&g_alog_on, __ATOMIC_RELAXED))
		return;
	now = TIM_mono();
	memset(&r, 0, sizeof r);
	if (txn->client.sa.sa_family != 0)
		CIP_Text(&txn->client, peer, sizeof peer);
	else
		SES_PeerText(sp, peer, sizeof peer);
	r.peer = peer;
	r.t_start = TIM_real() - (now - sp->t_req);
	px_lg_str(txn, &txn->lg_method, &r.method, &r.method_len);
	px_lg_str(txn, &txn->lg_target, &r.target, &r.target_len);
	px_lg_str(txn, &txn->lg_host, &r.host, &r.host_len);
	px_lg_str(txn, &txn->lg_ref, &r.referer, &r.referer_len);
	px_lg_str(txn, &txn->lg_ua, &r.ua, &r.ua_len);
	r.vmajor = txn->vmajor;
	r.vminor = txn->vminor;
	r.status = status;
	r.bytes = txn->resp_sent ? txn->out.sent : txn->bytes;
	r.t_head = sp->t_ready - sp->t_req;
	r.t_queue = txn->t_start - sp->t_ready;
	r.t_connect = txn->t_conn > 0. ? txn->t_conn - txn->t_start : -1.;
	r.t_firstbyte = txn->t_resp > 0. ? txn->t_resp - txn->t_start : -1.;
	r.t_total = now - sp->t_req;
	r.route = txn->route != NULL ? txn->route->name : NULL;
	r.director = txn->route != NULL ?
	    txn->conf->director[txn->route->to].name : NULL;
	r.backend = txn->be_tried ? BE_Conf(txn->bp)->name : NULL;
	r.reused = txn->reused;
	r.retries = txn->retried + txn->nretry;
	r.cause = sc != SC_NULL ? SES_CloseName(sc) : NULL;
	ALOG_Write(&r);
}
