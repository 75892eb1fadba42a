/*-
 * Copyright (c) 2026 The frontd authors
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * conf_priv.h -- what conf.c (the schema and the struct conf) and
 * conf_text.c (the text: reading it, blanking comments, the syntax of
 * durations, sizes and addresses) share.  Nothing outside the conf module
 * includes it.
 */

#ifndef FRONTD_CONF_PRIV_H
#define FRONTD_CONF_PRIV_H

#include <sys/socket.h>
#include <stddef.h>

#include <confuse.h>

#include "tim.h"

struct conf;

#define CONF_SECLINE	" line"		/* hidden: where a section opened */

#define CONF_KB		1024L
#define CONF_MB		(1024L * CONF_KB)
#define CONF_GB		(1024L * CONF_MB)
#define CONF_SEC	1000L		/* durations are kept in ms */
#define CONF_DAY	(86400L * CONF_SEC)

enum conf_unit {
	CONF_U_DUR,		/* ms; a bare number is seconds */
	CONF_U_SIZE,		/* bytes */
	CONF_U_COUNT,		/* a plain number */
};

/* The reason Conf_ParseNum() gives for a number that overflows a long. */
extern const char Conf_TooLarge[];

/*
 * Parse "<digits><suffix>" in unit u into *vp.  NULL, Conf_TooLarge, or
 * why it is not a value of that unit.
 */
const char *Conf_ParseNum(const char *s, enum conf_unit u, long *vp);

/* Write v the way a user would write it: "30s", "16k", "100". */
void Conf_FmtNum(char *buf, size_t len, enum conf_unit u, long v);

/*
 * Parse "IPv4:port", "[IPv6]:port", or, if wild, "*:port" (every IPv4
 * address).  NULL, or why not.  Never looks a name up.
 */
const char *Conf_ParseAddr(const char *spec, int wild,
    struct sockaddr_storage *, socklen_t *);

/* Conf_ParseAddr()'s reason for a host that is not a numeric address. */
extern const char Conf_NotNumeric[];

/*
 * Parse "hostname:port" into host (hostlen bytes) and *portp.  NULL, or
 * why not.  Never looks the name up.
 */
const char *Conf_ParseHostPort(const char *spec, char *host, size_t hostlen,
    int *portp);
/* conf_edge.c: listen options, trusted networks, send_proxy. */
struct rip_net;
const char *Conf_ParseListen(const char *spec, struct sockaddr_storage *,
    socklen_t *, unsigned *flags);
const char *Conf_ParseNet(const char *spec, struct rip_net *);
const char *Conf_ParseSendProxy(const char *s, unsigned *version);
/* admin_listen: as Conf_ParseAddr, and a bare port is 127.0.0.1:PORT. */
const char *Conf_ParseAdmin(const char *spec, struct sockaddr_storage *,
    socklen_t *);

/*
 * Read a whole file into a NUL-terminated buffer (free() it).  NULL with
 * errno set if it cannot be opened or read.
 */
char *Conf_ReadFile(const char *file, size_t *lenp);

/*
 * Blank out the comments of text in place, newlines kept.  Returns 0, or
 * the line of a block comment that does not end.  *unclosed gets the line
 * of the first '{' that is never closed, or 0.
 */
int Conf_Prescan(char *text, int *unclosed);

/* The line number of byte p of text. */
int Conf_LineOf(const char *text, const char *p);

/*--------------------------------------------------------------------
 * One parse in progress (conf.c), for the checks of the sections that
 * name each other (conf_route.c).
 */

/* Where a key (or the idx'th element of a list) was set. */
struct conf_seen {
	const cfg_opt_t		*opt;
	unsigned		idx;
	int			line;
};

struct conf_ctx {
	const char		*name;		/* the file, for messages */
	cfg_t			*root;
	char			*err;
	size_t			errlen;
	int			failed;
	int			unclosed;	/* line of a '{' never closed */
	int			lines;		/* of the text: its last line */
	struct conf_seen	*seen;
	unsigned		nseen;
	unsigned		lseen;
};

/* Record the first error as "NAME:LINE: reason" (line 0: no line). */
void Conf_Err(struct conf_ctx *, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* The line element idx of key 'name' of cfg was set on; 0: a default. */
int Conf_Line(const struct conf_ctx *, cfg_t *, const char *name,
    unsigned idx);

/* The line a section opened on. */
#define Conf_SecLine(sec)	((int)cfg_getnint((sec), CONF_SECLINE, 0))

char *Conf_Strdup(const char *);		/* NULL stays NULL */
tim_dur Conf_Dur(cfg_t *, const char *name);	/* seconds */

/* conf_edge.c: admin_listen and admin_token_file. */
int Conf_BuildAdmin(struct conf_ctx *, cfg_t *, struct conf *);

/* conf_route.c: directors and routes, after the backends. */
int Conf_BuildRoutes(struct conf_ctx *, cfg_t *, struct conf *);
void Conf_FreeRoutes(struct conf *);
const char *Conf_CheckRouteStr(const char *name, const char *value);

/* conf_probe.c: probe sections, before the backends that name them. */
const char *Conf_CheckProbeStr(const char *name, const char *value);
int Conf_BuildProbes(struct conf_ctx *, cfg_t *, struct conf *);
struct conf_backend;
int Conf_BackendProbe(struct conf_ctx *, cfg_t *sec, const struct conf *,
    struct conf_backend *);
void Conf_FreeProbes(struct conf *);

#endif /* FRONTD_CONF_PRIV_H */
