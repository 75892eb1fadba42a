/*-
 * Copyright (c) 2026 The frontd authors
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * conf.h -- the configuration, as an immutable reference-counted object.
 *
 * conf.c is the only user of libconfuse.  It parses the file, checks every
 * value, resolves addresses, and copies the result into a struct conf that
 * nobody changes afterwards.  A reload builds a new one and swaps a
 * pointer; each request holds a reference to the one it started with.
 */

#ifndef FRONTD_CONF_H
#define FRONTD_CONF_H

#include <sys/socket.h>
#include <stdint.h>

#include "htc.h"
#include "realip.h"
#include "tim.h"

struct backend;
struct director;
struct rtab;

struct conf_listen {
	char			*spec;		/* as written: "*:8080" */
	struct sockaddr_storage	addr;
	socklen_t		addrlen;
	unsigned		flags;
#define CONF_L_PROXY		0x1	/* requires a PROXY header */
};

struct conf_backend {
	unsigned		magic;
#define CONF_BACKEND_MAGIC	0x42454e44
	unsigned		idx;		/* position in conf->backend */
	char			*name;
	char			*address;	/* as written */
	char			*host;		/* a name to resolve, or NULL */
	unsigned		port;		/* with host */
	struct sockaddr_storage	addr;		/* numeric: the address */
	socklen_t		addrlen;
	tim_dur			connect_timeout;	/* 3s */
	tim_dur			first_byte_timeout;	/* 30s */
	tim_dur			between_bytes_timeout;	/* 30s */
	tim_dur			idle_timeout;		/* pooled conn, 4s */
	unsigned		max_idle;	/* pooled conns per worker, 64 */
	unsigned		send_proxy;	/* PROXY header version, 0: off */
	unsigned		weight;		/* 100 */
	unsigned		max_conn;	/* max_connections, 0: none */
	unsigned		fail_limit;	/* failures in a row that eject
						   it: 5, 0: never */
	tim_dur			fail_timeout;	/* the first ejection: 10s */
	const struct conf_probe	*probe;		/* probe = "NAME", or NULL */
	unsigned		backup:1;
	int			line;		/* where its section opened */
	struct backend		*rt;		/* runtime: backend.c */
};

/*
 * A probe section: how a backend's health is checked (health.c).
 * Healthy while at least 'threshold' of the last 'window' probes passed;
 * it starts with 'initial' of them counted as passed.
 */
#define CONF_PROBE_MAXWIN	64
struct conf_probe {
	unsigned		magic;
#define CONF_PROBE_MAGIC	0x50524f42
	char			*name;
	int			line;
	char			*url;		/* "/" */
	char			*host;		/* NULL: the backend's address */
	char			*method;	/* "GET", "HEAD" or "OPTIONS" */
	uint64_t		expect[10];	/* bit per status 0..639: {200} */
	tim_dur			interval;	/* 5s */
	tim_dur			timeout;	/* 2s */
	unsigned		window;		/* 8, at most CONF_PROBE_MAXWIN */
	unsigned		threshold;	/* 3 */
	unsigned		initial;	/* threshold - 1 */
};
#define CONF_PROBE_EXPECTS(p, st)	((st) < 640 &&			\
	((p)->expect[(st) / 64] >> ((st) % 64) & 1))

/* Director policies: tbl/dir_policy.h */
enum dir_policy {
#define DIR_POLICY(n, d)	DIR_P_##n,
#include "tbl/dir_policy.h"
#undef DIR_POLICY
	DIR_P__MAX
};

/* What the hash policy hashes. */
enum dir_hashkey {
	DIR_K_CLIENT_IP = 0,
	DIR_K_HOST,
	DIR_K_PATH,
	DIR_K_HEADER,		/* hash_arg: the field name */
	DIR_K_COOKIE,		/* hash_arg: the cookie name */
};

struct conf_director {
	unsigned		magic;
#define CONF_DIRECTOR_MAGIC	0x44495243
	char			*name;
	int			line;		/* 0: made for a route's to */
	unsigned		nmember;
	unsigned		*member;	/* indexes in conf->backend */
	enum dir_policy		policy;		/* random */
	enum dir_hashkey	hash_key;	/* client_ip */
	char			*hash_arg;
	unsigned		retries;	/* 1 */
	tim_dur			queue_timeout;	/* the members' connect_timeout */
	unsigned		max_queue;	/* 1000 */
	struct director		*dir;		/* runtime: director.c */
};

struct conf_route {
	unsigned		magic;
#define CONF_ROUTE_MAGIC	0x524f5554
	char			*name;		/* NULL: the implicit one */
	int			line;
	unsigned		nhost;
	char			**host;
	unsigned		npath;
	char			**path;
	unsigned		to;		/* index in conf->director */
	char			*to_name;	/* as written */
};

struct conf {
	unsigned		magic;
#define CONF_MAGIC		0x434f4e46
	unsigned		refcnt;		/* atomic */
	unsigned		gen;		/* later loads have higher */
	char			*file;		/* NULL: the embedded default */

	unsigned		nlisten;
	struct conf_listen	*listen;
	unsigned		nbackend;
	struct conf_backend	*backend;
	unsigned		nprobe;
	struct conf_probe	*probe;
	unsigned		ndirector;
	struct conf_director	*director;	/* written ones first */
	unsigned		nroute;
	struct conf_route	*route;		/* in file order */
	struct rtab		*rtab;		/* host, path -> route index */
	tim_dur			resolve_interval; /* 30s */

	tim_dur			timeout_idle;	/* 75s */
	tim_dur			timeout_req;	/* 10s */
	tim_dur			timeout_client;	/* 30s */
	tim_dur			timeout_linger;	/* 0.05s, worker keeps a quiet session */
	tim_dur			drain_timeout;	/* 20s */

	unsigned		workers;	/* 0 in the file: 1 per core */
	unsigned		worker_sessions; /* sessions a worker drives at once: 2000 */
	unsigned		queue_len;	/* requests waiting for a worker: 1024 */
	unsigned		max_connections; /* client sessions: 10000 */
	uint64_t		max_body_size;	/* 0: no limit */
	size_t			request_buffer;	/* bodies read whole first: 64k */
	tim_dur			timeout_body;	/* ... within this: 30s */
	size_t			min_rate;	/* slow clients: bytes/s, 500 */
	tim_dur			min_rate_grace;	/* ... once past this: 5s */
	unsigned		max_partial_per_client; /* partial heads an address holds: 0, no cap */
	struct htc_limits	limits;		/* head_max 16k, field_max 8k,
						   nfield_max 100, target_max 8k */

	char			*pidfile;	/* NULL: none */
	char			*user;		/* NULL: keep */
	char			*group;
	char			*access_log;	/* NULL: off */
	int			access_log_json; /* access_log_format = "json" */
	char			*error_log;	/* NULL: syslog (or stderr with -F) */
	char			*admin_listen;	/* NULL: off */
	struct sockaddr_storage	admin_addr;	/* admin_listen, parsed */
	socklen_t		admin_addrlen;	/* 0: off */
	char			*admin_token_file; /* NULL: off */
	char			*admin_token;	/* its secret, or NULL */
	size_t			admin_tokenlen;
	const char		*admin_token_warn; /* why the file is unsafe */
	tim_dur			shutdown_delay;	/* TERM: /health 503 first, 0s */

	unsigned		ntrusted;	/* trusted_proxies */
	struct rip_net		*trusted;
	int			reuse_port;	/* SO_REUSEPORT on listeners */
};

/*
 * Parse 'file' (NULL: the embedded default, conf/frontd.conf).  On
 * failure NULL, and 'err' holds one line "FILE:LINE: reason" (or
 * "FILE: reason" when there is no line to name).  The result has one
 * reference.
 */
struct conf *CONF_Load(const char *file, char *err, size_t errlen);

/* The same from a string (tests, the embedded default); 'name' is for errors. */
struct conf *CONF_LoadString(const char *name, const char *text,
    char *err, size_t errlen);

struct conf *CONF_Ref(struct conf *);		/* any thread */
void CONF_Rel(struct conf **);			/* any thread; frees at 0 */

/* The backend called 'name', or NULL. */
const struct conf_backend *CONF_Backend(const struct conf *, const char *);

/* A copy of a probe of its own (health.c), and its end; any thread. */
struct conf_probe *CONF_ProbeDup(const struct conf_probe *);
void CONF_ProbeFree(struct conf_probe **);

/* The name of a director policy. */
const char *CONF_PolicyName(enum dir_policy);

/* Default path of the configuration file when -f is not given. */
#define CONF_DEFAULT_PATH	"/etc/frontd/frontd.conf"

#endif /* FRONTD_CONF_H */
