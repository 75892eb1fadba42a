/*-
 * Copyright (c) 2026 The frontd authors
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * frontd.h -- the daemon's objects and how they pass between threads.
 *
 * A client connection is a struct sess.  It is owned by exactly one of:
 * the acceptor (just accepted), the idle waiter (idle, or reading a
 * partial head), the worker queue (complete head, every worker full) or
 * one worker (serving requests, then lingering).  Ownership moves only
 * with WAIT_Enter / WAIT_Task and the waiter's callbacks, so a session has
 * no lock.  While a worker drives a request it hangs a struct txn (the
 * request's state, with its output buffer) and a backend connection
 * (struct bconn) on the session; both come from and go back to that
 * worker's own free lists and pools.
 */

#ifndef FRONTD_FRONTD_H
#define FRONTD_FRONTD_H

#include <netinet/in.h>
#include <stdint.h>

#include "vas.h"
#include "htc.h"
#include "waiter.h"

struct conf;
struct conf_backend;
struct worker;
struct txn;
struct bconn;
struct be_worker;

/*--------------------------------------------------------------------
 * Counters: per thread (no shared cache line on the request path),
 * summed when somebody asks.
 */

enum counter {
#define COUNTER(n, h)	CNT_##n,
#include "tbl/counters.h"
#undef COUNTER
	CNT__MAX
};

struct counters {
	uint64_t	c[CNT__MAX];
};

#define CNT_INC(cs, n)	__atomic_fetch_add(&(cs)->c[CNT_##n], 1, \
			    __ATOMIC_RELAXED)
/*
 * A counter only its own thread writes (a worker's): a plain load and
 * store, still atomic for readers, without the locked read-modify-write.
 */
#define CNT_INC1(cs, n)	CNT_ADD1(&(cs)->c[CNT_##n], 1)
#define CNT_ADD1(p, d)	__atomic_store_n((p), __atomic_load_n((p), \
			    __ATOMIC_RELAXED) + (d), __ATOMIC_RELAXED)

enum sess_close {
	SC_NULL = 0,
#define SESS_CLOSE(n, e, d)	SC_##n,
#include "tbl/sess_close.h"
#undef SESS_CLOSE
	SC__MAX
};

/*--------------------------------------------------------------------
 * A client session.  Small: an idle one is this struct and nothing else.
 */

union sockaddr_u {
	struct sockaddr		sa;
	struct sockaddr_in	sin;
	struct sockaddr_in6	sin6;
};

struct sess {
	unsigned		magic;
#define SESS_MAGIC		0x53455353
	int			fd;
	struct waited		wp;
	struct htc		htc;
	struct conf		*conf;	/* the configuration it runs on */
	union {
		struct txn	*txn;	/* the request a worker drives */
		struct sess	*qnext;	/* in the worker queue (no txn) */
	};
	struct worker		*wrk;	/* the worker that owns it, or NULL */
	tim_mono		t_ready; /* the current head was complete */
	tim_mono		t_req;	/* first byte of the current head */
	union sockaddr_u	peer;
	unsigned		flags;	/* in what was padding */
#define SES_F_PROXY		0x1	/* a PROXY header is to come first */
#define SES_F_PARTIAL		0x2	/* counted in ses_partial.c */
};

/*
 * Receive buffers: room for the largest head plus a good part of a body,
 * so that a typical response (head and a 16 KiB body) is read and written
 * in one system call each.  Every pool uses the same size, as buffers move
 * between threads with their sessions.
 */
#define FRONTD_BUFSIZE(conf)	((conf)->limits.head_max + 16384)

/* Global state shared by every thread (daemon.c). */
extern struct counters	g_counters;	/* acceptor and waiter counters */
extern unsigned		g_draining;	/* atomic: stop keep-alive, drain */
extern unsigned		g_closing;	/* atomic: close after each response */
extern unsigned		g_stopping;	/* atomic: TERM came; /health fails */
extern unsigned		g_sessions;	/* atomic: sessions open */
extern unsigned		g_alog_on;	/* atomic: the access log is open */
extern uint64_t		g_closed[SC__MAX]; /* atomic: sessions closed, by reason */

struct conf *DMN_Conf(void);		/* a new reference to the current one */
void DMN_ConfUpdate(struct conf **);	/* to the current one, if older */

/* session.c: sessions and the idle waiter */
struct sess *SES_New(int fd, const union sockaddr_u *, struct conf *);
void SES_Delete(struct sess **, enum sess_close);
void SES_Wait(struct sess *);		/* hand to the idle waiter */
void SES_ReqStart(struct sess *, tim_mono);
int SES_Partial(struct sess *);		/* -1: 429 sent, close it */
tim_mono SES_ReqDeadline(const struct sess *);
enum sess_close SES_ReqExpired(const struct sess *, tim_mono);
int SES_WaitInit(unsigned nwaiters, unsigned bufsize);
void SES_WaitFini(void);
void SES_Evict(unsigned n);		/* close n of the oldest idle */
void SES_QueueKick(void);		/* a worker has room again */
const char *SES_CloseName(enum sess_close);
size_t SES_Error(struct sess *, unsigned status);
void SES_Refuse(struct sess *, unsigned status, enum sess_close);
unsigned SES_HtcStatus(enum htc_status);	/* 400, 414, 431, 501 */
void SES_PeerText(const struct sess *, char *, size_t);	/* small response, close */

/* ses_partial.c: unfinished heads per client address */
int SPL_Take(struct sess *);		/* -1: over max_partial_per_client */
void SPL_Drop(struct sess *);
unsigned SPL_Count(void);		/* sessions counted */

/* client_ip.c: the client behind trusted proxies */
struct h1_head;
int CIP_Trusted(const struct conf *, const union sockaddr_u *);
int CIP_Client(const struct conf *, const union sockaddr_u *peer,
    const struct h1_head *, const char *base, union sockaddr_u *client);
void CIP_Text(const union sockaddr_u *, char *, size_t);

/* ses_proxy.c: the PROXY header before the first request */
int SES_ProxyRx(struct sess *, struct htc_pool *, enum sess_close *);
void SES_ProxyTimeout(const struct sess *);

/* worker.c: the pool of event-driven workers */
int WRK_Init(const struct conf *);
void WRK_Fini(void);
int WRK_Dispatch(struct sess *);	/* 0, or -1: every worker is full */
unsigned WRK_Active(void);		/* sessions owned by workers */
void WRK_Quiesce(void);			/* every worker saw g_draining */
void WRK_Sweep(void);			/* BE_Sweep on every worker */
void WRK_Done(struct worker *, struct sess *);	/* request over: linger */
void WRK_Release(struct worker *, struct sess **, enum sess_close);
struct htc_pool *WRK_HtcPool(struct worker *);
struct counters *WRK_Counters(struct worker *);
struct waiter *WRK_Waiter(struct worker *);
struct waiter *WRK_WaiterAt(unsigned n);	/* worker n % workers' loop */
struct be_worker **WRK_Bpool(struct worker *);	/* bpool.c's part */
/* proxy.c's spare transactions, one list per worker */
struct txn;
struct px_free {
	struct txn		*head;
	unsigned		n;
};
struct px_free *WRK_PxFree(struct worker *);

/* proxy.c: one request, end to end, on a worker */
void PX_Start(struct worker *, struct sess *, tim_mono now);
void PX_Free(struct txn **);
void PX_WorkerFini(struct worker *);

/* bpool.c: backend connections, pooled per worker */
struct bpool;
struct bconn;
typedef void be_take_f(void *priv, struct bconn *, tim_mono now);

struct bconn {
	unsigned		magic;
#define BCONN_MAGIC		0x42434f4e
	int			fd;
	struct waited		wp;
	struct htc		htc;
	struct bpool		*pool;
	struct bconn		*next;	/* idle list, most recent first */
	struct bconn		*prev;
	unsigned		reused:1;
	unsigned		idle:1;
	int			ka;	/* Keep-Alive: timeout= of the last
					   response, or -1 */
	unsigned		agen;	/* of the backend's addresses */
	struct sockaddr_storage	addr;	/* connected to */
	/* taken by a sibling worker (bpool.c, takeover) */
	struct waited		xfer;	/* the hand-over, a task each way */
	struct bpool		*taker;	/* pool mtx: the taking pool */
	be_take_f		*take_cb;
	void			*take_priv;
	unsigned char		stolen;	/* pool mtx */
	unsigned char		dead;	/* the old loop saw it end meanwhile */
};

/* The pool of backend number idx of conf, on this worker. */
struct bpool *BE_Pool(struct worker *, struct conf *, unsigned idx);
void BE_WorkerFini(struct worker *);
void BE_Sweep(struct worker *);		/* close idle conns of drained ones */
const struct conf_backend *BE_Conf(const struct bpool *);
/*
 * An idle pooled connection (bc->reused; still armed for POLLIN in the
 * worker's loop, the caller sets bc->wp.func and priv), or a new one
 * (not armed; always when 'fresh'); *connecting says the connect is still
 * in progress.  NULL with errno when a new one could not be started.
 * With cb, when this worker has none idle but a sibling has: NULL with
 * *connecting BE_TAKING, and cb runs on this worker's loop later with
 * the sibling's connection (reused, not armed) or with NULL if it died
 * on the way (then ask for a fresh one).
 */
struct bconn *BE_Get(struct bpool *, int fresh, int *connecting,
    be_take_f *cb, void *priv);
#define BE_TAKING	(-1)	/* *connecting: NULL, cb will follow */
void BE_Recycle(struct bconn **);	/* back to the pool, idle */

void BE_CountFail(struct bpool *);
void BE_CountRetry(struct bpool *);
struct stats;
void BE_Stats(struct worker *, struct stats *);
void WRK_Stats(struct stats *);
void SES_Stats(struct stats *);
void DMN_Stats(struct stats *);
void BE_Close(struct bconn **);

#endif /* FRONTD_FRONTD_H */
