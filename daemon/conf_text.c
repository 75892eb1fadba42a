/*-
 * Copyright (c) 2026 The frontd authors
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * conf_text.c -- the text of a configuration, below the libconfuse schema:
 * reading the file, blanking its comments, and the syntax of the values
 * that libconfuse hands over as plain strings (durations, sizes, counts,
 * addresses).  Nothing here knows libconfuse or struct conf, so conf.c
 * stays the schema and the copy.
 *
 * Comments are blanked out before libconfuse sees the text because
 * libconfuse 3.3 counts the line of every comment once or twice too
 * often, and an error must name the right line.  Comments are '#' or '//'
 * to the end of the line and '/' '*' ... '*' '/', outside quoted strings;
 * newlines stay, so the text keeps its line numbers.  The same pass finds
 * a '{' that is never closed, which libconfuse would accept.
 *
 * Numbers are whole (no "1.5s": write "1500ms"), with one suffix.
 * Addresses are numeric so that checking a file never waits on DNS;
 * IPv4 goes through inet_pton(), which unlike getaddrinfo() refuses short
 * forms such as "127.1".
 */

#include <sys/types.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netdb.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vas.h"
#include "conf_priv.h"

#define CONF_MAXFILE	(16 * 1024 * 1024)

struct conf_suffix {
	enum conf_unit		unit;
	const char		*sfx;
	long			mul;
};

static const struct conf_suffix conf_suffixes[] = {
	{ CONF_U_DUR,	"",	CONF_SEC },
	{ CONF_U_DUR,	"ms",	1 },
	{ CONF_U_DUR,	"s",	CONF_SEC },
	{ CONF_U_DUR,	"m",	60 * CONF_SEC },
	{ CONF_U_SIZE,	"",	1 },
	{ CONF_U_SIZE,	"k",	CONF_KB },
	{ CONF_U_SIZE,	"K",	CONF_KB },
	{ CONF_U_SIZE,	"m",	CONF_MB },
	{ CONF_U_SIZE,	"M",	CONF_MB },
	{ CONF_U_SIZE,	"g",	CONF_GB },
	{ CONF_U_SIZE,	"G",	CONF_GB },
	{ CONF_U_COUNT,	"",	1 },
	{ CONF_U_COUNT,	NULL,	0 }
};

const char Conf_TooLarge[] = "too large";

static const char * const conf_syntax[] = {
	[CONF_U_DUR] =
	    "not a duration (a whole number, then ms, s or m)",
	[CONF_U_SIZE] =
	    "not a size (a whole number of bytes, or with k, m or g)",
	[CONF_U_COUNT] =
	    "not a whole number",
};

/*--------------------------------------------------------------------
 * Parse "<digits><suffix>" in unit u into *vp; NULL, or why not.
 */

const char *
Conf_ParseNum(const char *s, enum conf_unit u, long *vp)
{
	const struct conf_suffix *sx;
	const char *p;
	long v = 0;

	for (p = s; *p >= '0' && *p <= '9'; p++) {
		if (v > (LONG_MAX - (*p - '0')) / 10)
			return (Conf_TooLarge);
		v = v * 10 + (*p - '0');
	}
	if (p == s)
		return (conf_syntax[u]);
	for (sx = conf_suffixes; sx->sfx != NULL; sx++) {
		if (sx->unit != u || strcmp(sx->sfx, p) != 0)
			continue;
		if (v > LONG_MAX / sx->mul)
			return (Conf_TooLarge);
		*vp = v * sx->mul;
		return (NULL);
	}
	return (conf_syntax[u]);
}

/*--------------------------------------------------------------------
 * Write v, in unit u, the way a user would write it.
 */

void
Conf_FmtNum(char *buf, size_t len, enum conf_unit u, long v)
{

	if (u == CONF_U_DUR && v % CONF_SEC == 0)
		(void)snprintf(buf, len, "%lds", v / CONF_SEC);
	else if (u == CONF_U_DUR)
		(void)snprintf(buf, len, "%ldms", v);
	else if (u == CONF_U_SIZE && v != 0 && v % CONF_GB == 0)
		(void)snprintf(buf, len, "%ldg", v / CONF_GB);
	else if (u == CONF_U_SIZE && v != 0 && v % CONF_MB == 0)
		(void)snprintf(buf, len, "%ldm", v / CONF_MB);
	else if (u == CONF_U_SIZE && v != 0 && v % CONF_KB == 0)
		(void)snprintf(buf, len, "%ldk", v / CONF_KB);
	else
		(void)snprintf(buf, len, "%ld", v);
}

const char Conf_NotNumeric[] = "not a numeric IPv4 or [IPv6] address";

static int conf_port(const char *);

/*--------------------------------------------------------------------
 * Parse "hostname:port" (a backend named by DNS) into host and *portp.
 * NULL, or why not.  Never looks the name up.
 */

const char *
Conf_ParseHostPort(const char *spec, char *host, size_t hostlen, int *portp)
{
	const char *p, *c;
	size_t len;

	p = strrchr(spec, ':');
	if (p == NULL)
		return ("no port (want hostname:port)");
	len = (size_t)(p - spec);
	if (len == 0 || len >= hostlen || len > 253)
		return ("not a host name");
	for (c = spec; c < p; c++)
		if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
		    (*c >= '0' && *c <= '9') || *c == '-' || *c == '.' ||
		    *c == '_'))
			return ("not a numeric address or a host name");
	if (spec[0] == '.' || spec[0] == '-')
		return ("not a host name");
	if ((*portp = conf_port(p + 1)) < 0)
		return ("bad port (1 to 65535)");
	memcpy(host, spec, len);
	host[len] = '\0';
	return (NULL);
}

/*--------------------------------------------------------------------
 * Parse a port number, 1 to 65535; -1 if it is not one.
 */

static int
conf_port(const char *s)
{
	int port = 0;
	const char *p;

	for (p = s; *p >= '0' && *p <= '9' && p - s < 5; p++)
		port = port * 10 + (*p - '0');
	if (p == s || *p != '\0' || port < 1 || port > 65535)
		return (-1);
	return (port);
}

/*--------------------------------------------------------------------
 * Fill an IPv4 sockaddr from a numeric host, or "*" if 'wild'.
 */

static const char *
conf_addr4(const char *host, int port, int wild, struct sockaddr_storage *ss,
    socklen_t *lenp)
{
	struct sockaddr_in *sin = (struct sockaddr_in *)ss;

	if (strcmp(host, "*") == 0) {
		if (!wild)
			return ("'*' is for listen addresses only");
		sin->sin_addr.s_addr = htonl(INADDR_ANY);
	} else if (inet_pton(AF_INET, host, &sin->sin_addr) != 1)
		return (Conf_NotNumeric);
	sin->sin_family = AF_INET;
	sin->sin_port = htons((uint16_t)port);
	*lenp = sizeof *sin;
	return (NULL);
}

/*--------------------------------------------------------------------
 * Fill an IPv6 sockaddr from a numeric host (a scope such as %eth0 is
 * allowed); getaddrinfo() never looks a numeric host up.
 */

static const char *
conf_addr6(const char *host, int port, struct sockaddr_storage *ss,
    socklen_t *lenp)
{
	struct addrinfo hints, *res;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;

	memset(&hints, 0, sizeof hints);
	hints.ai_family = AF_INET6;
	hints.ai_flags = AI_NUMERICHOST;
	if (getaddrinfo(host, NULL, &hints, &res) != 0)
		return ("not a numeric IPv6 address");
	assert(res->ai_addrlen <= sizeof *ss);
	memcpy(ss, res->ai_addr, res->ai_addrlen);
	*lenp = res->ai_addrlen;
	freeaddrinfo(res);
	sin6->sin6_port = htons((uint16_t)port);
	return (NULL);
}

/*--------------------------------------------------------------------
 * Parse "IPv4:port", "[IPv6]:port", or with 'wild' "*:port" (every IPv4
 * address).  NULL, or why not.
 */

const char *
Conf_ParseAddr(const char *spec, int wild, struct sockaddr_storage *ss,
    socklen_t *lenp)
{
	char host[128];
	const char *p, *h;
	size_t len;
	int port;

	h = spec;
	if (*spec == '[') {
		h = spec + 1;
		p = strchr(spec, ']');
		if (p == NULL || p[1] != ':')
			return ("want [IPv6]:port");
		len = (size_t)(p - h);
		p++;
	} else {
		p = strrchr(spec, ':');
		if (p == NULL)
			return ("no port (want IPv4:port or [IPv6]:port)");
		len = (size_t)(p - h);
		if (memchr(h, ':', len) != NULL)
			return ("an IPv6 address needs brackets: [IPv6]:port");
	}
	if (len == 0 || len >= sizeof host)
		return ("no address before the port");
	memcpy(host, h, len);
	host[len] = '\0';
	if ((port = conf_port(p + 1)) < 0)
		return ("bad port (1 to 65535)");
	memset(ss, 0, sizeof *ss);
	if (*spec == '[')
		return (conf_addr6(host, port, ss, lenp));
	return (conf_addr4(host, port, wild, ss, lenp));
}

/*--------------------------------------------------------------------
 * The line of byte p of text.
 */

int
Conf_LineOf(const char *text, const char *p)
{
	int line = 1;

	for (; text < p; text++)
		if (*text == '\n')
			line++;
	return (line);
}

/*--------------------------------------------------------------------
 * Blank out a comment from s to the end of its line; returns the last
 * byte blanked.
 */

static char *
conf_blank_eol(char *s)
{

	while (s[1] != '\0' && s[1] != '\n')
		*s++ = ' ';
	*s = ' ';
	return (s);
}

/*--------------------------------------------------------------------
 * Blank out the block comment at s, newlines kept; returns the last byte
 * blanked, or NULL if the comment does not end.
 */

static char *
conf_blank_block(char *s)
{
	char *e;

	e = strstr(s + 2, "*/");
	if (e == NULL)
		return (NULL);
	for (; s <= e + 1; s++)
		if (*s != '\n')
			*s = ' ';
	return (e + 1);
}

/*--------------------------------------------------------------------
 * Blank out every comment of text outside quoted strings, so that
 * libconfuse counts lines right, and find the first '{' never closed
 * (libconfuse takes the end of the file for a '}').  See conf_priv.h.
 */

int
Conf_Prescan(char *text, int *unclosed)
{
	char *s, *e, *first = NULL, q = '\0';
	unsigned depth = 0;

	for (s = text; *s != '\0'; s++) {
		if (q != '\0') {
			if (*s == '\\' && s[1] != '\0')
				s++;
			else if (*s == q)
				q = '\0';
		} else if (*s == '"' || *s == '\'')
			q = *s;
		else if (*s == '#' || (s[0] == '/' && s[1] == '/'))
			s = conf_blank_eol(s);
		else if (s[0] == '/' && s[1] == '*') {
			if ((e = conf_blank_block(s)) == NULL)
				return (Conf_LineOf(text, s));
			s = e;
		} else if (s[0] == '$' && s[1] == '{' &&
		    (e = strchr(s, '}')) != NULL)
			s = e;
		else if (*s == '{' && depth++ == 0)
			first = s;
		else if (*s == '}' && depth > 0)
			depth--;
	}
	*unclosed = depth > 0 ? Conf_LineOf(text, first) : 0;
	return (0);
}

/*--------------------------------------------------------------------
 * Read all of an open file into a NUL-terminated buffer, or NULL with
 * errno set.
 */

static char *
conf_read(int fd, size_t *lenp)
{
	struct stat st;
	size_t len = 0, size = 4096;
	ssize_t n;
	char *buf;

	if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
		errno = EISDIR;
		return (NULL);
	}
	buf = malloc(size);
	AN(buf);
	while ((n = read(fd, buf + len, size - len - 1)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 || len + (size_t)n >= CONF_MAXFILE) {
			if (n >= 0)
				errno = EFBIG;
			free(buf);
			return (NULL);
		}
		len += (size_t)n;
		if (len + 1 == size) {
			size *= 2;
			buf = realloc(buf, size);
			AN(buf);
		}
	}
	buf[len] = '\0';
	*lenp = len;
	return (buf);
}

/*--------------------------------------------------------------------
 * Read a whole file (see conf_priv.h).
 */

char *
Conf_ReadFile(const char *file, size_t *lenp)
{
	char *buf;
	int fd, e;

	fd = open(file, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return (NULL);
	buf = conf_read(fd, lenp);
	e = errno;
	(void)close(fd);
	errno = e;
	return (buf);
}
