/*-
 * Copyright (c) 2026 The frontd authors
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * conf.c -- the configuration file: the libconfuse schema, the checks on
 * every value, and the copy into an immutable struct conf.
 *
 * This is the only file that includes confuse.h.  libconfuse gives the
 * syntax (key = value, lists in braces, titled "backend" sections) and the
 * line number of each token; the rest is here:
 *
 * - Every value is read as a string and checked by a value callback
 *   (conf_cb_num(), conf_cb_str()) while libconfuse still knows the line,
 *   so that a bad value is reported where it stands.  libconfuse's own
 *   integer parser (strtol with base 0) knows no units and reads "010" as
 *   octal.  The syntax of durations, sizes and addresses is in
 *   conf_text.c.
 * - Checks that need the whole file (a required key, limits that must
 *   agree) run after parsing.  They find their line in a record of where
 *   each key was set (conf_mark()); a backend section finds the line it
 *   opened on in a hidden list option, whose default libconfuse parses
 *   when the section opens (conf_cb_secline()).
 * - libconfuse 3.3 counts the line of every comment once or twice too
 *   often and takes the end of the file for a missing '}', so the text
 *   goes through Conf_Prescan() (conf_text.c) first.
 *
 * The result is copied into a struct conf with its own strings and the
 * cfg_t is freed at once: the daemon never holds libconfuse state, and a
 * reload builds a complete new struct conf or nothing.  The lexer inside
 * libconfuse is one global, so parses are serialized by conf_mtx; they
 * are rare (start, -t, SIGHUP).
 *
 * Rejected: cfg_parse() on the file name (the text could not be cleaned of
 * comments first, and a missing file would look like an unreadable one),
 * libconfuse's include() (a second file with its own line numbers), and
 * letting a key given twice silently win (nginx rejects it too).
 */

#include <sys/types.h>
#include <sys/socket.h>

#include <errno.h>
#include <grp.h>
#include <limits.h>
#include <pthread.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <confuse.h>

#include "vas.h"
#include "conf.h"
#include "conf_priv.h"

#define CONF_BUILTIN	"(built-in)"	/* the name of CONF_default */

#define KB		CONF_KB
#define MB		CONF_MB
#define GB		CONF_GB
#define SEC		CONF_SEC
#define DAY		CONF_DAY

extern const char CONF_default[];	/* conf/frontd.conf, generated */

/*
 * Every numeric key: name, unit, default, minimum, maximum.  The schema
 * and the range checks are both made from these lists.
 */
#define CONF_ROOT_NUMS(X)						\
	X(timeout_idle,		DUR,	75 * SEC,	1,	DAY)	\
	X(timeout_req,		DUR,	10 * SEC,	1,	DAY)	\
	X(timeout_client,	DUR,	30 * SEC,	1,	DAY)	\
	X(timeout_linger,	DUR,	50,		0,	DAY)	\
	X(drain_timeout,	DUR,	20 * SEC,	0,	DAY)	\
	X(shutdown_delay,	DUR,	0,		0,	DAY)	\
	X(workers,		COUNT,	0,		0,	1024)	\
	X(worker_sessions,	COUNT,	2000,		1,	1000000) \
	X(queue_len,		COUNT,	1024,		0,	1000000) \
	X(max_connections,	COUNT,	10000,		1,	10000000) \
	X(max_body_size,	SIZE,	0,		0,	1024 * GB) \
	X(request_buffer,	SIZE,	64 * KB,	0,	16 * MB) \
	X(timeout_body,		DUR,	30 * SEC,	1,	DAY)	\
	X(min_rate,		SIZE,	500,		0,	1 * GB)	\
	X(min_rate_grace,	DUR,	5 * SEC,	1,	DAY)	\
	X(max_partial_per_client, COUNT, 0,		0,	1000000) \
	X(head_max,		SIZE,	16 * KB,	1 * KB,	1 * MB)	\
	X(field_max,		SIZE,	8 * KB,		64,	1 * MB)	\
	X(nfield_max,		COUNT,	100,		1,	H1_MAXFIELDS) \
	X(target_max,		SIZE,	8 * KB,		64,	1 * MB)	\
	X(resolve_interval,	DUR,	30 * SEC,	1 * SEC, DAY)

#define CONF_BACKEND_NUMS(X)						\
	X(connect_timeout,	DUR,	3 * SEC,	1,	DAY)	\
	X(first_byte_timeout,	DUR,	30 * SEC,	1,	DAY)	\
	X(between_bytes_timeout, DUR,	30 * SEC,	1,	DAY)	\
	X(idle_timeout,		DUR,	4 * SEC,	1,	DAY)	\
	X(max_idle,		COUNT,	64,		0,	100000)	\
	X(weight,		COUNT,	100,		1,	10000)	\
	X(max_connections,	COUNT,	0,		0,	1000000) \
	X(fail_limit,		COUNT,	5,		0,	1000)	\
	X(fail_timeout,		DUR,	10 * SEC,	1,	300 * SEC)

#define CONF_DIRECTOR_NUMS(X)						\
	X(retries,		COUNT,	1,		0,	100)	\
	X(queue_timeout,	DUR,	0,		1,	DAY)	\
	X(max_queue,		COUNT,	1000,		0,	1000000)

#define CONF_PROBE_NUMS(X)						\
	X(interval,		DUR,	5 * SEC,	10,	DAY)	\
	X(timeout,		DUR,	2 * SEC,	1,	DAY)	\
	X(window,		COUNT,	8,		1,	CONF_PROBE_MAXWIN) \
	X(threshold,		COUNT,	3,		1,	CONF_PROBE_MAXWIN) \
	X(initial,		COUNT,	-1,		0,	CONF_PROBE_MAXWIN)

struct conf_num {
	const char		*name;
	enum conf_unit		unit;
	long			min;
	long			max;
};

/* One table per section: a name may mean different things in each. */
#define CONF_NUM(n, u, d, lo, hi)	{ #n, CONF_U_##u, lo, hi },
static const struct conf_num conf_root_nums[] = {
	CONF_ROOT_NUMS(CONF_NUM)
	{ NULL, CONF_U_COUNT, 0, 0 }
};
static const struct conf_num conf_backend_nums[] = {
	CONF_BACKEND_NUMS(CONF_NUM)
	{ NULL, CONF_U_COUNT, 0, 0 }
};
static const struct conf_num conf_director_nums[] = {
	CONF_DIRECTOR_NUMS(CONF_NUM)
	{ NULL, CONF_U_COUNT, 0, 0 }
};
static const struct conf_num conf_probe_nums[] = {
	CONF_PROBE_NUMS(CONF_NUM)
	{ NULL, CONF_U_COUNT, 0, 0 }
};
#undef CONF_NUM

static pthread_mutex_t conf_mtx = PTHREAD_MUTEX_INITIALIZER;
static struct conf_ctx *conf_cur;	/* the parse holding conf_mtx */
static unsigned conf_gen;		/* atomic: struct conf's gen */

static int conf_cb_num(cfg_t *, cfg_opt_t *, const char *, void *);
static int conf_cb_str(cfg_t *, cfg_opt_t *, const char *, void *);
static int conf_cb_secline(cfg_t *, cfg_opt_t *, const char *, void *);

#define CONF_OPT(n, u, d, lo, hi)					\
	CFG_INT_CB(#n, d, CFGF_NONE, conf_cb_num),

static cfg_opt_t conf_backend_opts[] = {
	CFG_STR_CB("address", NULL, CFGF_NODEFAULT, conf_cb_str),
	CONF_BACKEND_NUMS(CONF_OPT)
	CFG_STR_CB("send_proxy", "off", CFGF_NONE, conf_cb_str),
	CFG_BOOL("backup", cfg_false, CFGF_NONE),
	CFG_STR_CB("probe", NULL, CFGF_NONE, conf_cb_str),
	CFG_INT_LIST_CB(CONF_SECLINE, "{0}", CFGF_NONE, conf_cb_secline),
	CFG_END()
};

static cfg_opt_t conf_director_opts[] = {
	CFG_STR_LIST_CB("backends", NULL, CFGF_NODEFAULT, conf_cb_str),
	CFG_STR_CB("policy", "random", CFGF_NONE, conf_cb_str),
	CFG_STR_CB("hash_key", NULL, CFGF_NONE, conf_cb_str),
	CONF_DIRECTOR_NUMS(CONF_OPT)
	CFG_INT_LIST_CB(CONF_SECLINE, "{0}", CFGF_NONE, conf_cb_secline),
	CFG_END()
};

static cfg_opt_t conf_route_opts[] = {
	CFG_STR_LIST_CB("host", NULL, CFGF_NODEFAULT, conf_cb_str),
	CFG_STR_LIST_CB("path", NULL, CFGF_NODEFAULT, conf_cb_str),
	CFG_STR_CB("to", NULL, CFGF_NODEFAULT, conf_cb_str),
	CFG_INT_LIST_CB(CONF_SECLINE, "{0}", CFGF_NONE, conf_cb_secline),
	CFG_END()
};

static cfg_opt_t conf_probe_opts[] = {
	CFG_STR_CB("url", "/", CFGF_NONE, conf_cb_str),
	CFG_STR_CB("host", NULL, CFGF_NONE, conf_cb_str),
	CFG_STR_CB("method", "GET", CFGF_NONE, conf_cb_str),
	CFG_STR_LIST_CB("expect", "{200}", CFGF_NONE, conf_cb_str),
	CONF_PROBE_NUMS(CONF_OPT)
	CFG_INT_LIST_CB(CONF_SECLINE, "{0}", CFGF_NONE, conf_cb_secline),
	CFG_END()
};

static cfg_opt_t conf_root_opts[] = {
	CFG_STR_LIST_CB("listen", NULL, CFGF_NODEFAULT, conf_cb_str),
	CONF_ROOT_NUMS(CONF_OPT)
	CFG_STR_CB("pidfile", NULL, CFGF_NONE, conf_cb_str),
	CFG_STR_CB("user", NULL, CFGF_NONE, conf_cb_str),
	CFG_STR_CB("group", NULL, CFGF_NONE, conf_cb_str),
	CFG_STR_CB("access_log", NULL, CFGF_NONE, conf_cb_str),
	CFG_STR_CB("error_log", "syslog", CFGF_NONE, conf_cb_str),
	CFG_STR_CB("access_log_format", "combined", CFGF_NONE, conf_cb_str),
	CFG_STR_CB("admin_listen", NULL, CFGF_NONE, conf_cb_str),
	CFG_STR_CB("admin_token_file", NULL, CFGF_NONE, conf_cb_str),
	CFG_STR_LIST_CB("trusted_proxies", NULL, CFGF_NONE, conf_cb_str),
	CFG_STR_CB("reuse_port", "false", CFGF_NONE, conf_cb_str),
	CFG_SEC("backend", conf_backend_opts,
	    CFGF_MULTI | CFGF_TITLE | CFGF_NO_TITLE_DUPES),
	CFG_SEC("director", conf_director_opts,
	    CFGF_MULTI | CFGF_TITLE | CFGF_NO_TITLE_DUPES),
	CFG_SEC("route", conf_route_opts,
	    CFGF_MULTI | CFGF_TITLE | CFGF_NO_TITLE_DUPES),
	CFG_SEC("probe", conf_probe_opts,
	    CFGF_MULTI | CFGF_TITLE | CFGF_NO_TITLE_DUPES),
	CFG_END()
};

#undef CONF_OPT

/*--------------------------------------------------------------------
 * Copy a message with the bytes a terminal or a log would act on (the
 * file's own control bytes and newlines, quoted back in a message)
 * written as \n, \t, \xNN.
 */

static void
conf_escape(char *dst, size_t len, const char *src)
{
	size_t n = 0;
	unsigned char c;
	int l;

	assert(len > 4);
	for (; (c = (unsigned char)*src) != '\0' && n + 5 < len; src++) {
		if (c >= 0x20 && c != 0x7f) {
			dst[n++] = (char)c;
			continue;
		}
		if (c == '\n' || c == '\t' || c == '\r')
			l = snprintf(dst + n, len - n, "\\%c",
			    c == '\n' ? 'n' : c == '\t' ? 't' : 'r');
		else
			l = snprintf(dst + n, len - n, "\\x%02x", c);
		n += (size_t)l;
	}
	dst[n] = '\0';
}

/*--------------------------------------------------------------------
 * Record the first error of a parse as "NAME:LINE: reason" (or
 * "NAME: reason" when line is 0); later ones follow from it and are
 * dropped.
 */

void
Conf_Err(struct conf_ctx *ctx, int line, const char *fmt, ...)
{
	char raw[256], msg[1024];
	va_list ap;

	if (ctx->failed)
		return;
	ctx->failed = 1;
	va_start(ap, fmt);
	(void)vsnprintf(raw, sizeof raw, fmt, ap);
	va_end(ap);
	conf_escape(msg, sizeof msg, raw);
	if (ctx->err == NULL || ctx->errlen == 0)
		return;
	if (line > 0)
		(void)snprintf(ctx->err, ctx->errlen, "%s:%d: %s",
		    ctx->name, line, msg);
	else
		(void)snprintf(ctx->err, ctx->errlen, "%s: %s", ctx->name, msg);
}

/*--------------------------------------------------------------------
 * Say libconfuse's own messages in this file's words.
 */

static const char *
conf_msgfmt(const char *fmt)
{

	if (strcmp(fmt, "no such option '%s'") == 0)
		return ("unknown key '%s'");
	if (strcmp(fmt, "found duplicate title '%s'") == 0)
		return ("duplicate %s '%s'");
	return (fmt);
}

/*--------------------------------------------------------------------
 * The kind of section ("backend", "director", "route") a duplicate title
 * belongs to: the one that already has a section of that name.
 */

static const char *
conf_dupkind(cfg_t *cfg, const char *title)
{
	static const char * const kinds[] = { "director", "route", "backend",
	    "probe" };
	unsigned u;

	for (u = 0; u < 4; u++)
		if (cfg_gettsec(cfg, kinds[u], title) != NULL)
			return (kinds[u]);
	return ("section");
}

/*--------------------------------------------------------------------
 * libconfuse's error function: every message raised while parsing, with
 * the line of the token at hand, and the backend it is in.
 */

static void
conf_errfunc(cfg_t *cfg, const char *fmt, va_list ap)
{
	const char *t;
	char msg[256];

	AN(conf_cur);
	if (strcmp(fmt, "found duplicate title '%s'") == 0) {
		t = va_arg(ap, const char *);
		(void)snprintf(msg, sizeof msg, conf_msgfmt(fmt),
		    conf_dupkind(cfg, t), t);
	} else
		(void)vsnprintf(msg, sizeof msg, conf_msgfmt(fmt), ap);
	if (cfg->title != NULL)
		Conf_Err(conf_cur, cfg->line, "%s '%s': %s",
		    cfg->name, cfg->title, msg);
	else
		Conf_Err(conf_cur, cfg->line, "%s", msg);
}

/*--------------------------------------------------------------------
 * Note that opt was set on this line; a key set twice is an error.  The
 * elements of a list are noted one by one, so that a check after parsing
 * can name the line of the one at fault.
 */

static int
conf_mark(cfg_t *cfg, const cfg_opt_t *opt)
{
	struct conf_ctx *ctx = conf_cur;
	unsigned u, idx = 0;

	AN(ctx);
	for (u = 0; u < ctx->nseen; u++) {
		if (ctx->seen[u].opt != opt)
			continue;
		if (opt->flags & CFGF_LIST) {
			idx++;
			continue;
		}
		cfg_error(cfg, "%s: set twice (first on line %d)",
		    opt->name, ctx->seen[u].line);
		return (-1);
	}
	if (ctx->nseen == ctx->lseen) {
		ctx->lseen = ctx->lseen ? 2 * ctx->lseen : 32;
		ctx->seen = realloc(ctx->seen,
		    ctx->lseen * sizeof *ctx->seen);
		AN(ctx->seen);
	}
	ctx->seen[ctx->nseen].opt = opt;
	ctx->seen[ctx->nseen].idx = idx;
	ctx->seen[ctx->nseen].line = cfg->line;
	ctx->nseen++;
	return (0);
}

/*--------------------------------------------------------------------
 * The line element idx of key 'name' of cfg was set on (0 for a key that
 * is not a list), or 0 if it has its default.
 */

int
Conf_Line(const struct conf_ctx *ctx, cfg_t *cfg, const char *name,
    unsigned idx)
{
	const cfg_opt_t *opt;
	unsigned u;

	opt = cfg_getopt(cfg, name);
	AN(opt);
	for (u = 0; u < ctx->nseen; u++)
		if (ctx->seen[u].opt == opt && ctx->seen[u].idx == idx)
			return (ctx->seen[u].line);
	return (0);
}

/*--------------------------------------------------------------------
 * The range and unit of numeric key 'name'.
 */

static const struct conf_num *
conf_num(const cfg_t *cfg, const char *name)
{
	const struct conf_num *n = conf_root_nums;

	if (cfg->title != NULL && !strcmp(cfg->name, "backend"))
		n = conf_backend_nums;
	else if (cfg->title != NULL && !strcmp(cfg->name, "director"))
		n = conf_director_nums;
	else if (cfg->title != NULL && !strcmp(cfg->name, "probe"))
		n = conf_probe_nums;
	for (; n->name != NULL; n++)
		if (strcmp(n->name, name) == 0)
			return (n);
	return (NULL);
}

/*--------------------------------------------------------------------
 * Value callback of every numeric key: parse, check the range, store
 * milliseconds, bytes or the count.
 */

static int
conf_cb_num(cfg_t *cfg, cfg_opt_t *opt, const char *value, void *result)
{
	const struct conf_num *n;
	const char *why;
	char lo[32], hi[32];
	long v = 0;

	AN(value);
	n = conf_num(cfg, opt->name);
	AN(n);
	if (conf_mark(cfg, opt))
		return (-1);
	why = Conf_ParseNum(value, n->unit, &v);
	if (why != NULL && why != Conf_TooLarge) {
		cfg_error(cfg, "%s: \"%.64s\": %s", opt->name, value, why);
		return (-1);
	}
	if (why != NULL || v < n->min || v > n->max) {
		Conf_FmtNum(lo, sizeof lo, n->unit, n->min);
		Conf_FmtNum(hi, sizeof hi, n->unit, n->max);
		cfg_error(cfg, "%s: \"%.64s\": out of range (%s to %s)",
		    opt->name, value, lo, hi);
		return (-1);
	}
	*(long *)result = v;
	return (0);
}

/*--------------------------------------------------------------------
 * What is wrong with a backend address, numeric or "hostname:port".
 */

static const char *
conf_check_address(const char *value)
{
	struct sockaddr_storage ss;
	char host[256];
	const char *why;
	socklen_t len;
	int port;

	why = Conf_ParseAddr(value, 0, &ss, &len);
	if (why != Conf_NotNumeric)
		return (why);
	return (Conf_ParseHostPort(value, host, sizeof host, &port));
}

/*--------------------------------------------------------------------
 * What is wrong with 'value' of string key 'name', or NULL.  Paths must
 * be absolute since the daemon runs from "/"; the user and group must
 * exist, since the daemon switches to them.
 */

static const char *
conf_check_str(const char *name, const char *value)
{
	struct sockaddr_storage ss;
	struct rip_net net;
	socklen_t len;
	unsigned u;

	if (strcmp(name, "listen") == 0)
		return (Conf_ParseListen(value, &ss, &len, &u));
	if (strcmp(name, "trusted_proxies") == 0)
		return (Conf_ParseNet(value, &net));
	if (strcmp(name, "send_proxy") == 0)
		return (Conf_ParseSendProxy(value, &u));
	if (strcmp(name, "reuse_port") == 0)
		return (strcmp(value, "true") && strcmp(value, "false") ?
		    "not true or false" : NULL);
	if (strcmp(name, "admin_listen") == 0)
		return (Conf_ParseAdmin(value, &ss, &len));
	if (strcmp(name, "address") == 0)
		return (conf_check_address(value));
	if (strcmp(name, "user") == 0)
		return (getpwnam(value) == NULL ? "no such user" : NULL);
	if (strcmp(name, "group") == 0)
		return (getgrnam(value) == NULL ? "no such group" : NULL);
	if (strcmp(name, "error_log") == 0)
		return (strcmp(value, "syslog") && *value != '/' ?
		    "not \"syslog\" or an absolute path" : NULL);
	if (strcmp(name, "access_log_format") == 0)
		return (strcmp(value, "combined") && strcmp(value, "json") ?
		    "not \"combined\" or \"json\"" : NULL);
	if (strcmp(name, "pidfile") && strcmp(name, "access_log") &&
	    strcmp(name, "admin_token_file"))
		return (Conf_CheckRouteStr(name, value));
	return (*value != '/' ? "not an absolute path" : NULL);
}

/*--------------------------------------------------------------------
 * Value callback of every string key, and of each listen address.
 */

static int
conf_cb_str(cfg_t *cfg, cfg_opt_t *opt, const char *value, void *result)
{
	const char *why;

	AN(value);
	if (conf_mark(cfg, opt))
		return (-1);
	if (cfg->title != NULL && !strcmp(cfg->name, "probe"))
		why = Conf_CheckProbeStr(opt->name, value);
	else
		why = conf_check_str(opt->name, value);
	if (why != NULL) {
		cfg_error(cfg, "%s: \"%.64s\": %s", opt->name, value, why);
		return (-1);
	}
	*(const char **)result = value;
	return (0);
}

/*--------------------------------------------------------------------
 * Parse callback of the hidden CONF_SECLINE option.  libconfuse parses
 * its default "{0}" when a backend section opens, before it reads the
 * section's first key; the top level's line is then the line of the
 * opening brace, kept as the value.
 */

static int
conf_cb_secline(cfg_t *cfg, cfg_opt_t *opt, const char *value, void *result)
{

	AN(conf_cur);
	*(long *)result = conf_cur->root != NULL ? conf_cur->root->line : 0;
	return (0);
}

/*--------------------------------------------------------------------
 * A string of the configuration, or NULL for an unset one.
 */

char *
Conf_Strdup(const char *s)
{
	char *p;

	if (s == NULL)
		return (NULL);
	p = strdup(s);
	AN(p);
	return (p);
}

/*--------------------------------------------------------------------
 * A duration key of cfg, in seconds.
 */

tim_dur
Conf_Dur(cfg_t *cfg, const char *name)
{

	return ((tim_dur)cfg_getint(cfg, name) / SEC);
}

/*--------------------------------------------------------------------
 * Free a struct conf and everything it owns.
 */

static void
conf_free(struct conf *c)
{
	unsigned u;

	CHECK_OBJ_NOTNULL(c, CONF_MAGIC);
	Conf_FreeRoutes(c);
	Conf_FreeProbes(c);
	for (u = 0; u < c->nlisten; u++)
		free(c->listen[u].spec);
	free(c->listen);
	for (u = 0; u < c->nbackend; u++) {
		free(c->backend[u].name);
		free(c->backend[u].address);
		free(c->backend[u].host);
	}
	free(c->backend);
	free(c->file);
	free(c->pidfile);
	free(c->user);
	free(c->group);
	free(c->access_log);
	free(c->error_log);
	free(c->admin_listen);
	free(c->admin_token_file);
	if (c->admin_token != NULL)
		explicit_bzero(c->admin_token, c->admin_tokenlen);
	free(c->admin_token);
	free(c->trusted);
	FREE_OBJ(c);
}

/*--------------------------------------------------------------------
 * The line a root key was set on, or the file's last line if it was not
 * (where it would go).
 */

static int
conf_line_of(const struct conf_ctx *ctx, cfg_t *cfg, const char *name)
{
	const cfg_opt_t *opt = cfg_getopt(cfg, name);
	unsigned u;

	for (u = 0; u < ctx->nseen; u++)
		if (ctx->seen[u].opt == opt)
			return (ctx->seen[u].line);
	return (ctx->lines);
}

/*--------------------------------------------------------------------
 * Copy the listen addresses; at least one is required.
 */

static int
conf_build_listen(struct conf_ctx *ctx, cfg_t *cfg, struct conf *c)
{
	struct conf_listen *l;
	unsigned u, n;

	n = cfg_size(cfg, "listen");
	if (n == 0) {
		Conf_Err(ctx, conf_line_of(ctx, cfg, "listen"), "listen: at "
		    "least one address is required (where clients connect, "
		    "as listen = {\"127.0.0.1:8080\"})");
		return (-1);
	}
	c->listen = calloc(n, sizeof *c->listen);
	AN(c->listen);
	c->nlisten = n;
	for (u = 0; u < n; u++) {
		l = &c->listen[u];
		l->spec = Conf_Strdup(cfg_getnstr(cfg, "listen", u));
		AZ(Conf_ParseListen(l->spec, &l->addr, &l->addrlen,
		    &l->flags));
	}
	return (0);
}

/*--------------------------------------------------------------------
 * Copy one backend section; its address is required.
 */

static int
conf_build_backend(struct conf_ctx *ctx, cfg_t *sec, struct conf_backend *be)
{
	const char *addr;
	int port;

	addr = cfg_getstr(sec, "address");
	if (addr == NULL) {
		Conf_Err(ctx, Conf_SecLine(sec),
		    "backend '%s': address is required", cfg_title(sec));
		return (-1);
	}
	be->magic = CONF_BACKEND_MAGIC;
	be->name = Conf_Strdup(cfg_title(sec));
	be->address = Conf_Strdup(addr);
	if (Conf_ParseAddr(addr, 0, &be->addr, &be->addrlen) != NULL) {
		be->host = calloc(1, 256);
		AN(be->host);
		AZ(Conf_ParseHostPort(addr, be->host, 256, &port));
		be->port = (unsigned)port;
	}
	be->connect_timeout = Conf_Dur(sec, "connect_timeout");
	be->first_byte_timeout = Conf_Dur(sec, "first_byte_timeout");
	be->between_bytes_timeout = Conf_Dur(sec, "between_bytes_timeout");
	be->idle_timeout = Conf_Dur(sec, "idle_timeout");
	be->max_idle = (unsigned)cfg_getint(sec, "max_idle");
	be->weight = (unsigned)cfg_getint(sec, "weight");
	be->max_conn = (unsigned)cfg_getint(sec, "max_connections");
	be->backup = cfg_getbool(sec, "backup") != cfg_false;
	be->fail_limit = (unsigned)cfg_getint(sec, "fail_limit");
	be->fail_timeout = Conf_Dur(sec, "fail_timeout");
	be->line = Conf_SecLine(sec);
	AZ(Conf_ParseSendProxy(cfg_getstr(sec, "send_proxy"),
	    &be->send_proxy));
	return (0);
}

/*--------------------------------------------------------------------
 * Copy the backends; at least one is required.
 */

static int
conf_build_backends(struct conf_ctx *ctx, cfg_t *cfg, struct conf *c)
{
	unsigned u, n;

	n = cfg_size(cfg, "backend");
	if (n == 0) {
		Conf_Err(ctx, ctx->lines, "no backend section: at least one is "
		    "required (backend \"NAME\" { address = \"IP:port\" })");
		return (-1);
	}
	c->backend = calloc(n, sizeof *c->backend);
	AN(c->backend);
	c->nbackend = n;
	for (u = 0; u < n; u++) {
		c->backend[u].idx = u;
		if (conf_build_backend(ctx, cfg_getnsec(cfg, "backend", u),
		    &c->backend[u]) || Conf_BackendProbe(ctx,
		    cfg_getnsec(cfg, "backend", u), c, &c->backend[u]))
			return (-1);
	}
	return (0);
}

/*--------------------------------------------------------------------
 * Check that size key 'small' is not above 'big'; the error names the
 * line of 'small', or of 'big' if 'small' has its default.
 */

static int
conf_check_le(struct conf_ctx *ctx, cfg_t *cfg, const char *small,
    const char *big)
{
	char sb[32], bb[32];
	long s, b;
	int line;

	s = cfg_getint(cfg, small);
	b = cfg_getint(cfg, big);
	if (s <= b)
		return (0);
	line = Conf_Line(ctx, cfg, small, 0);
	if (line == 0)
		line = Conf_Line(ctx, cfg, big, 0);
	Conf_FmtNum(sb, sizeof sb, CONF_U_SIZE, s);
	Conf_FmtNum(bb, sizeof bb, CONF_U_SIZE, b);
	Conf_Err(ctx, line, "%s (%s) is larger than %s (%s)",
	    small, sb, big, bb);
	return (-1);
}

/*--------------------------------------------------------------------
 * Copy the request head limits, which must agree with each other.
 */

static int
conf_build_limits(struct conf_ctx *ctx, cfg_t *cfg, struct conf *c)
{

	if (conf_check_le(ctx, cfg, "field_max", "head_max") ||
	    conf_check_le(ctx, cfg, "target_max", "head_max"))
		return (-1);
	c->limits.head_max = (unsigned)cfg_getint(cfg, "head_max");
	c->limits.field_max = (unsigned)cfg_getint(cfg, "field_max");
	c->limits.nfield_max = (unsigned)cfg_getint(cfg, "nfield_max");
	c->limits.target_max = (unsigned)cfg_getint(cfg, "target_max");
	assert(c->limits.nfield_max <= H1_MAXFIELDS);
	return (0);
}

/*--------------------------------------------------------------------
 * The number of workers: as configured, or one per online processor.
 * One each measured best: with two per core the event loops sleep and
 * wake more often (0.5 instead of 0.2 context switches per request) and
 * forward about 15% fewer requests (tests/bench, wrk -c50).
 */

static unsigned
conf_workers(long n)
{
	long ncpu;

	if (n > 0)
		return ((unsigned)n);
	ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	if (ncpu < 1)
		ncpu = 1;
	if (ncpu > 512)
		ncpu = 512;
	return ((unsigned)ncpu);
}

/*--------------------------------------------------------------------
 * Copy the keys that need no check beyond their own value.
 */

static void
conf_build_rest(cfg_t *cfg, struct conf *c)
{
	unsigned u;

	c->timeout_idle = Conf_Dur(cfg, "timeout_idle");
	c->timeout_req = Conf_Dur(cfg, "timeout_req");
	c->timeout_client = Conf_Dur(cfg, "timeout_client");
	c->timeout_linger = Conf_Dur(cfg, "timeout_linger");
	c->drain_timeout = Conf_Dur(cfg, "drain_timeout");
	c->shutdown_delay = Conf_Dur(cfg, "shutdown_delay");
	c->resolve_interval = Conf_Dur(cfg, "resolve_interval");
	c->workers = conf_workers(cfg_getint(cfg, "workers"));
	c->worker_sessions = (unsigned)cfg_getint(cfg, "worker_sessions");
	c->queue_len = (unsigned)cfg_getint(cfg, "queue_len");
	c->max_connections = (unsigned)cfg_getint(cfg, "max_connections");
	c->max_body_size = (uint64_t)cfg_getint(cfg, "max_body_size");
	c->request_buffer = (size_t)cfg_getint(cfg, "request_buffer");
	c->timeout_body = Conf_Dur(cfg, "timeout_body");
	c->min_rate = (size_t)cfg_getint(cfg, "min_rate");
	c->min_rate_grace = Conf_Dur(cfg, "min_rate_grace");
	c->max_partial_per_client =
	    (unsigned)cfg_getint(cfg, "max_partial_per_client");
	c->pidfile = Conf_Strdup(cfg_getstr(cfg, "pidfile"));
	c->user = Conf_Strdup(cfg_getstr(cfg, "user"));
	c->group = Conf_Strdup(cfg_getstr(cfg, "group"));
	c->access_log = Conf_Strdup(cfg_getstr(cfg, "access_log"));
	if (strcmp(cfg_getstr(cfg, "error_log"), "syslog"))
		c->error_log = Conf_Strdup(cfg_getstr(cfg, "error_log"));
	c->access_log_json = !strcmp(cfg_getstr(cfg, "access_log_format"),
	    "json");
	c->ntrusted = cfg_size(cfg, "trusted_proxies");
	c->trusted = calloc(c->ntrusted + 1, sizeof *c->trusted);
	AN(c->trusted);
	for (u = 0; u < c->ntrusted; u++)
		AZ(Conf_ParseNet(cfg_getnstr(cfg, "trusted_proxies", u),
		    &c->trusted[u]));
	c->reuse_port = !strcmp(cfg_getstr(cfg, "reuse_port"), "true");
}

/*--------------------------------------------------------------------
 * Build the struct conf from a parsed cfg_t, or NULL after an error.
 */

static struct conf *
conf_build(struct conf_ctx *ctx, cfg_t *cfg)
{
	struct conf *c;

	ALLOC_OBJ(c, CONF_MAGIC);
	AN(c);
	c->refcnt = 1;
	c->gen = __atomic_add_fetch(&conf_gen, 1, __ATOMIC_RELAXED);
	if (conf_build_listen(ctx, cfg, c) ||
	    Conf_BuildProbes(ctx, cfg, c) ||
	    conf_build_backends(ctx, cfg, c) ||
	    Conf_BuildRoutes(ctx, cfg, c) ||
	    conf_build_limits(ctx, cfg, c) ||
	    Conf_BuildAdmin(ctx, cfg, c)) {
		conf_free(c);
		return (NULL);
	}
	conf_build_rest(cfg, c);
	return (c);
}

/*--------------------------------------------------------------------
 * Parse text (modified in place) under the name ctx->name.
 */

static struct conf *
conf_parse(struct conf_ctx *ctx, char *text)
{
	struct conf *c = NULL;
	const char *p;
	cfg_t *cfg;
	int line;

	ctx->lines = 1;
	for (p = text; *p != '\0'; p++)
		if (*p == '\n' && p[1] != '\0')
			ctx->lines++;
	line = Conf_Prescan(text, &ctx->unclosed);
	if (line > 0) {
		Conf_Err(ctx, line, "unterminated comment");
		return (NULL);
	}
	AZ(pthread_mutex_lock(&conf_mtx));
	conf_cur = ctx;
	cfg = cfg_init(conf_root_opts, CFGF_NONE);
	AN(cfg);
	ctx->root = cfg;
	(void)cfg_set_error_function(cfg, conf_errfunc);
	if (cfg_parse_buf(cfg, text) != CFG_SUCCESS || ctx->failed)
		Conf_Err(ctx, 0, "cannot parse");
	else if (ctx->unclosed > 0)
		Conf_Err(ctx, ctx->unclosed, "'{' without its '}'");
	else
		c = conf_build(ctx, cfg);
	(void)cfg_free(cfg);
	ctx->root = NULL;
	conf_cur = NULL;
	AZ(pthread_mutex_unlock(&conf_mtx));
	free(ctx->seen);
	ctx->seen = NULL;
	return (c);
}

/*--------------------------------------------------------------------
 * Start a parse of 'name'.
 */

static void
conf_ctx_init(struct conf_ctx *ctx, const char *name, char *err,
    size_t errlen)
{

	AN(name);
	memset(ctx, 0, sizeof *ctx);
	ctx->name = name;
	ctx->err = err;
	ctx->errlen = errlen;
	if (err != NULL && errlen > 0)
		*err = '\0';
}

/*--------------------------------------------------------------------
 * The text of 'file', or NULL after an error.
 */

static char *
conf_slurp(struct conf_ctx *ctx, const char *file)
{
	const char *nul;
	size_t len;
	char *buf;

	buf = Conf_ReadFile(file, &len);
	if (buf == NULL) {
		Conf_Err(ctx, 0, "%s", strerror(errno));
		return (NULL);
	}
	nul = memchr(buf, '\0', len);
	if (nul != NULL) {
		Conf_Err(ctx, Conf_LineOf(buf, nul), "NUL byte in the file");
		free(buf);
		return (NULL);
	}
	return (buf);
}

/*--------------------------------------------------------------------
 * Parse 'file', or the embedded default when it is NULL (see conf.h).
 */

struct conf *
CONF_Load(const char *file, char *err, size_t errlen)
{
	struct conf_ctx ctx;
	struct conf *c;
	char *text;

	if (file == NULL)
		return (CONF_LoadString(CONF_BUILTIN, CONF_default,
		    err, errlen));
	conf_ctx_init(&ctx, file, err, errlen);
	text = conf_slurp(&ctx, file);
	if (text == NULL)
		return (NULL);
	c = conf_parse(&ctx, text);
	free(text);
	if (c != NULL)
		c->file = Conf_Strdup(file);
	return (c);
}

/*--------------------------------------------------------------------
 * Parse a configuration held in memory; errors name it 'name'.  The
 * result's file is NULL: it cannot be read again.
 */

struct conf *
CONF_LoadString(const char *name, const char *text, char *err,
    size_t errlen)
{
	struct conf_ctx ctx;
	struct conf *c;
	char *copy;

	AN(text);
	conf_ctx_init(&ctx, name, err, errlen);
	copy = Conf_Strdup(text);
	c = conf_parse(&ctx, copy);
	free(copy);
	return (c);
}

/*--------------------------------------------------------------------
 * Take one more reference (any thread).
 */

struct conf *
CONF_Ref(struct conf *c)
{

	CHECK_OBJ_NOTNULL(c, CONF_MAGIC);
	assert(__atomic_add_fetch(&c->refcnt, 1, __ATOMIC_RELAXED) > 1);
	return (c);
}

/*--------------------------------------------------------------------
 * Drop a reference (any thread); the last one frees the configuration.
 */

void
CONF_Rel(struct conf **pc)
{
	struct conf *c;
	unsigned n;

	TAKE_OBJ_NOTNULL(c, pc, CONF_MAGIC);
	n = __atomic_sub_fetch(&c->refcnt, 1, __ATOMIC_ACQ_REL);
	assert(n != UINT_MAX);
	if (n == 0)
		conf_free(c);
}

/*--------------------------------------------------------------------
 * The backend called 'name', or NULL.
 */

const struct conf_backend *
CONF_Backend(const struct conf *c, const char *name)
{
	unsigned u;

	CHECK_OBJ_NOTNULL(c, CONF_MAGIC);
	AN(name);
	for (u = 0; u < c->nbackend; u++)
		if (strcmp(c->backend[u].name, name) == 0)
			return (&c->backend[u]);
	return (NULL);
}
