/*-
 * Copyright (c) 2026 The frontd authors
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * proxy_priv.h -- what proxy.c (the request state machine) and
 * proxy_head.c (the heads it writes, and its access log record) share:
 * the transaction and its parts.
 */

#ifndef FRONTD_PROXY_PRIV_H
#define FRONTD_PROXY_PRIV_H

#include <sys/uio.h>

#include "frontd.h"
#include "backend.h"
#include "h1b.h"

#define PX_TUNNEL_TIMEOUT	3600.	/* idle upgraded connection */
#define PX_SLACK		1024	/* room for fields the proxy adds */
/*
 * After an early response (the backend answered before the request body
 * was all sent), a rest of body up to this size is read and dropped so
 * the client connection stays open; a larger one is not worth it: the
 * response says close and the connection lingers (PX_LINGER_*).
 */
#define PX_DISCARD_MAX		(256 * 1024)
#define PX_LINGER_TIME		30.	/* lingering close: at most, in all */
#define PX_LINGER_QUIET		5.	/* ... and this long without a byte */
#define PX_OUT_STEPS		10	/* slow reader: progress checks per
					   timeout_client */

enum px_state {
	PX_REQ_BUFFER = 1,	/* reading a small body before connecting */
	PX_QUEUE,		/* waiting for a slot of a backend */
	PX_TAKE,		/* a sibling worker hands over its connection */
	PX_CONNECT,
	PX_REQ_SEND,
	PX_REQ_BODY,
	PX_RESP_HEAD,
	PX_INTERIM,		/* a 1xx on its way to the client */
	PX_RESP_BODY,
	PX_TUNNEL,
	PX_DISCARD,		/* early response sent: drop the body's rest */
	PX_LINGER,		/* closing: drain what the client still sends */
};

enum px_mode {
	MODE_PASS = 0,		/* the body as the backend framed it */
	MODE_CHUNK,		/* ends at close: chunk it (HTTP/1.1 client) */
	MODE_DECHUNK,		/* chunked: unchunk it (HTTP/1.0 client) */
};

/* Bytes on their way out: [head][prefix][body from an htc][suffix]. */
#define OUT_HEAD	0
#define OUT_PRE		1
#define OUT_BODY	2
#define OUT_POST	3
struct px_out {
	struct iovec		v[4];	/* v[OUT_BODY].iov_base unused */
	uint64_t		sent;	/* bytes written so far */
};

struct txn {
	unsigned		magic;
#define TXN_MAGIC		0x54584e21
	unsigned		size;	/* bytes of buf[] */
	struct txn		*fnext;	/* worker free list */
	struct worker		*wrk;
	struct sess		*sp;
	const struct conf	*conf;
	struct bpool		*bp;
	struct bconn		*bc;
	enum px_state		state;
	enum px_state		next;		/* after PX_INTERIM */
	tim_mono		t_first;	/* first-byte deadline */

	enum h1_method		method;
	unsigned		keep_client:1;
	unsigned		client_10:1;
	unsigned		expect:1;
	unsigned		upgrade:1;
	unsigned		retried:1;
	unsigned		resp_sent:1;	/* a byte went to the client */
	unsigned		resp_seen:1;	/* a byte came from the backend */
	unsigned		bc_keep:1;
	unsigned		body_held:1;	/* waiting for 100 first */
	unsigned		eof:1;		/* last chunk queued */
	unsigned		bc_rd:1;	/* backend readable mid-upload */
	unsigned		bc_wfail:1;	/* it stopped taking the body */
	unsigned		early:1;	/* final response before the body
						   was all sent */
	unsigned		tun_ceof;	/* tunnel: client sent EOF */
	unsigned		tun_beof;	/* tunnel: backend sent EOF */
	enum sess_close		lsc;		/* PX_LINGER: why it closes */
	tim_mono		t_end;		/* PX_DISCARD, PX_LINGER: limit */
	tim_mono		t_prog;		/* slow reader: last progress */
	int			outq;		/* ... bytes unsent then, or -1 */
	tim_mono		t_rate;		/* min_rate: the body began */
	tim_dur			t_blk;		/* ... waited on the client */
	tim_mono		t_blk0;		/* ... waiting since, or 0 */
	uint64_t		qbase;		/* ... queued before this one */
	unsigned		slow:1;		/* ... cut for it */
	uint64_t		dropped;	/* PX_DISCARD: body bytes dropped */
	char			*rb;		/* PX_REQ_BUFFER: the body read */
	size_t			rblen;
	size_t			rbcap;

	struct h1_body		req;
	struct h1_body		resp;
	enum px_mode		mode;
	unsigned		status;

	struct px_out		out;
	size_t			qlen;		/* request head in buf */

	/* for the access log: times, and spans of the head in buf */
	tim_mono		t_start;	/* the worker took it */
	tim_mono		t_conn;		/* connected (or reused) */
	tim_mono		t_resp;		/* final response head read */
	uint64_t		bytes;		/* sent to the client */
	unsigned		reused:1;
	unsigned		be_tried:1;	/* a backend was chosen */
	unsigned		trusted:1;	/* the peer is a trusted proxy */
	union sockaddr_u	client;		/* behind trusted proxies; set
						   with the request head */
	struct h1_span		lg_method;
	struct h1_span		lg_target;
	struct h1_span		lg_host;
	struct h1_span		lg_ref;
	struct h1_span		lg_ua;
	unsigned char		vmajor, vminor;

	/* where it goes: proxy_lb.c */
	const struct conf_route	*route;
	const struct conf_director *cdir;
	uint32_t		dkey;		/* the director's, from the head */
	unsigned		dkeyed:1;
	struct backend		*be;		/* chosen; see slot */
	unsigned		slot:1;		/* holds one of be's slots */
	unsigned		hc_told:1;	/* be's passive check knows */
	unsigned		member;		/* be's index in the director */
	unsigned		nretry;
	uint64_t		tried;		/* members tried, as bits */
	struct be_wait		qw;		/* waiting for a slot of be */
	struct waited		qtimer;		/* queue_timeout */

	char			chunk[24];
	char			buf[];		/* request head, response head,
						   de-chunked data */
};

/* proxy.c, for proxy_lb.c: go on with the request, or end it. */
void PX_Resume(struct txn *, tim_mono now);
void PX_Fail(struct txn *, unsigned status, enum sess_close);

/*
 * proxy_lb.c: where a request goes.
 *
 * PXL_Start: the route and the director, as soon as the head is in; 0,
 * or a status to answer (*sc the cause): no route, no member up.
 * PXL_Choose: once the body is read (or streams), a member and one of
 * its slots (txn->bp set): 0; with every member at max_connections,
 * PXL_QUEUED (PX_Resume or PX_Fail will be called on this worker); or a
 * status to answer.
 * PXL_Retry: after a failed connect, another member (0) or none (-1).
 * PXL_Health: tell the passive checks that txn->be failed ('why') or
 * answered; once per backend tried.
 * PXL_Done: the transaction ends: the slot goes back, the status counts.
 */
#define PXL_QUEUED	1
unsigned PXL_Start(struct txn *, const struct h1_head *, const char *base,
    enum sess_close *);
unsigned PXL_Choose(struct txn *, tim_mono now, enum sess_close *);
int PXL_Retry(struct txn *);
void PXL_Health(struct txn *, int ok, const char *why);
void PXL_Done(struct txn *, unsigned status);

/*
 * The request head is composed at buf + PX_PPROOM, leaving room for a
 * PROXY header in front of it, which can only be written once the
 * backend is chosen (it may be queued for one): PXH_ReqOut then puts
 * both, or the head alone, at the front of the output.
 */
#define PX_PPROOM		128	/* a v1 line or a v2 TCP6 header */
int PXH_ComposeReq(struct txn *, const struct h1_head *, const char *base);
void PXH_ReqOut(struct txn *);
int PXH_ComposeResp(struct txn *, const struct h1_head *, const char *base);
void PXH_Log(const struct txn *, unsigned status, enum sess_close);

#endif /* FRONTD_PROXY_PRIV_H */
