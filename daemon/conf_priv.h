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

/* conf_edge.c: listen options, trusted networks, send_proxy. */
struct rip_net;
const char *Conf_ParseListen(const char *spec, struct sockaddr_storage *,
    socklen_t *, unsigned *flags);
const char *Conf_ParseNet(const char *spec, struct rip_net *);
const char *Conf_ParseSendProxy(const char *s, unsigned *version);

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

#endif /* FRONTD_CONF_PRIV_H */
