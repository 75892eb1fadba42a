/*-
 * Copyright (c) 2026 The frontd authors
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * realip.c -- trusted networks and the walk of X-Forwarded-For.  See
 * realip.h for the contract.
 *
 * Networks are kept as a family, a prefix length and the network's
 * bytes; a match compares whole bytes and then the bits left over.  A
 * list of a few networks is searched in order: trusted_proxies lists
 * the handful of balancers in front, and a tree would cost more than it
 * saves at that size.
 *
 * An X-Forwarded-For entry that is not an address ends the walk with the
 * entry to its right, which a trusted proxy wrote: a client cannot make
 * frontd believe a name or garbage, nor skip past it to an older entry.
 */

#include <sys/types.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <stdlib.h>
#include <string.h>

#include "vas.h"
#include "realip.h"

#define RIP_TEXT	64	/* longer than any address with a port */

/*--------------------------------------------------------------------
 * The bytes and length of an address.
 */

static const uint8_t *
rip_bytes(const struct sockaddr *sa, unsigned *len)
{

	if (sa->sa_family == AF_INET) {
		*len = 4;
		return ((const uint8_t *)
		    &((const struct sockaddr_in *)(const void *)sa)->sin_addr);
	}
	if (sa->sa_family == AF_INET6) {
		*len = 16;
		return ((const uint8_t *)
		    &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr);
	}
	*len = 0;
	return (NULL);
}

/*--------------------------------------------------------------------
 * Parse a network; see realip.h.
 */

const char *
RIP_ParseNet(const char *s, struct rip_net *net)
{
	char buf[RIP_TEXT], *slash, *end;
	unsigned max, u;
	long bits;

	AN(s);
	AN(net);
	if (strlen(s) >= sizeof buf)
		return ("not an address or network");
	(void)strcpy(buf, s);
	memset(net, 0, sizeof *net);
	slash = strchr(buf, '/');
	if (slash != NULL)
		*slash++ = '\0';
	if (inet_pton(AF_INET, buf, net->addr) == 1) {
		net->family = AF_INET;
		max = 32;
	} else if (inet_pton(AF_INET6, buf, net->addr) == 1) {
		net->family = AF_INET6;
		max = 128;
	} else
		return ("not an address or network");
	net->bits = max;
	if (slash == NULL)
		return (NULL);
	if (*slash < '0' || *slash > '9' || (slash[0] == '0' && slash[1]))
		return ("bad prefix length");
	bits = strtol(slash, &end, 10);
	if (*end != '\0' || bits < 0 || bits > (long)max)
		return ("bad prefix length");
	net->bits = (unsigned)bits;
	for (u = net->bits; u < max; u++)
		if (net->addr[u / 8] & (0x80 >> (u % 8)))
			return ("host bits set after the prefix length");
	return (NULL);
}

/*--------------------------------------------------------------------
 * Is the address of 'len' bytes at 'a' in net?
 */

static int
rip_in(const struct rip_net *net, const uint8_t *a)
{
	unsigned whole = net->bits / 8, rest = net->bits % 8;
	uint8_t mask;

	if (memcmp(net->addr, a, whole) != 0)
		return (0);
	if (rest == 0)
		return (1);
	mask = (uint8_t)(0xff << (8 - rest));
	return ((a[whole] & mask) == net->addr[whole]);
}

/*--------------------------------------------------------------------
 * Is sa in one of the networks?  See realip.h.
 */

int
RIP_Match(const struct rip_net *nets, unsigned n, const struct sockaddr *sa)
{
	const uint8_t *a;
	unsigned u, len;

	AN(sa);
	a = rip_bytes(sa, &len);
	if (a == NULL)
		return (0);
	for (u = 0; u < n; u++)
		if (nets[u].family == sa->sa_family && rip_in(&nets[u], a))
			return (1);
	return (0);
}

/*--------------------------------------------------------------------
 * Parse one entry; see realip.h.  The port, if any, is dropped.
 */

int
RIP_ParseAddr(const char *p, size_t len, struct sockaddr_storage *ss)
{
	struct sockaddr_in *sin = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;
	char buf[RIP_TEXT], *a = buf, *e;

	while (len > 0 && (*p == ' ' || *p == '\t'))
		p++, len--;
	while (len > 0 && (p[len - 1] == ' ' || p[len - 1] == '\t'))
		len--;
	if (len == 0 || len >= sizeof buf)
		return (-1);
	memcpy(buf, p, len);
	buf[len] = '\0';
	memset(ss, 0, sizeof *ss);
	if (*a == '[') {
		e = strchr(++a, ']');
		if (e == NULL || (e[1] != '\0' && e[1] != ':'))
			return (-1);
		*e = '\0';
	} else if ((e = strchr(a, ':')) != NULL && strchr(e + 1, ':') == NULL)
		*e = '\0';			/* v4:port */
	if (inet_pton(AF_INET, a, &sin->sin_addr) == 1) {
		ss->ss_family = AF_INET;
		return (0);
	}
	if (inet_pton(AF_INET6, a, &sin6->sin6_addr) == 1) {
		ss->ss_family = AF_INET6;
		return (0);
	}
	return (-1);
}

/*--------------------------------------------------------------------
 * Is an entry empty (RFC 9110 lists may have empty elements)?
 */

static int
rip_blank(const char *p, size_t len)
{

	while (len > 0 && (*p == ' ' || *p == '\t'))
		p++, len--;
	return (len == 0);
}

/*--------------------------------------------------------------------
 * Walk one field value from the right; see realip.h.
 */

int
RIP_Walk(const struct rip_net *nets, unsigned n, const char *list,
    size_t len, struct sockaddr_storage *client)
{
	struct sockaddr_storage ss;
	size_t end = len, b;

	AN(client);
	for (;;) {
		b = end;
		while (b > 0 && list[b - 1] != ',')
			b--;
		if (RIP_ParseAddr(list + b, end - b, &ss) == 0) {
			*client = ss;
			if (!RIP_Match(nets, n, (struct sockaddr *)&ss))
				return (1);
		} else if (!rip_blank(list + b, end - b))
			return (1);	/* not an address */
		if (b == 0)
			return (0);
		end = b - 1;
	}
}
