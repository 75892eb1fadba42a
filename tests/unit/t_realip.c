/*-
 * Copyright (c) 2026 The frontd authors
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * t_realip.c -- trusted networks and the real client address.
 *
 * Networks: good and bad spellings, edges of a prefix, IPv4 never
 * matching IPv6.  Walks: an untrusted peer's list is never read by the
 * caller (not tested here); a trusted peer's list gives the right-most
 * untrusted entry, through several trusted hops, with spoofed entries on
 * the left ignored, garbage ending the walk, and several field lines.
 */

#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <stdio.h>
#include <string.h>

#include "vas.h"
#include "realip.h"
#include "tap.h"

static struct rip_net nets[8];
static unsigned nnets;

static void
trust(const char *s)
{

	assert(nnets < 8);
	AZ(RIP_ParseNet(s, &nets[nnets]));
	nnets++;
}

static void
addr(const char *a, struct sockaddr_storage *ss)
{

	AZ(RIP_ParseAddr(a, strlen(a), ss));
}

static const char *
text(const struct sockaddr_storage *ss)
{
	static char buf[INET6_ADDRSTRLEN];
	const void *p;

	if (ss->ss_family == AF_INET)
		p = &((const struct sockaddr_in *)(const void *)ss)->sin_addr;
	else
		p = &((const struct sockaddr_in6 *)(const void *)ss)->sin6_addr;
	AN(inet_ntop(ss->ss_family, p, buf, sizeof buf));
	return (buf);
}

static int
match(const char *a)
{
	struct sockaddr_storage ss;

	addr(a, &ss);
	return (RIP_Match(nets, nnets, (struct sockaddr *)&ss));
}

static void
t_nets(void)
{
	struct rip_net n;

	CHECK(RIP_ParseNet("10.0.0.0/8", &n) == NULL && n.bits == 8);
	CHECK(RIP_ParseNet("192.0.2.7", &n) == NULL && n.bits == 32);
	CHECK(RIP_ParseNet("::1/128", &n) == NULL && n.family == AF_INET6);
	CHECK(RIP_ParseNet("0.0.0.0/0", &n) == NULL && n.bits == 0);
	CHECK(RIP_ParseNet("2001:db8::/32", &n) == NULL);
	CHECK(RIP_ParseNet("10.0.0.1/8", &n) != NULL);
	CHECK(RIP_ParseNet("10.0.0.0/33", &n) != NULL);
	CHECK(RIP_ParseNet("10.0.0.0/", &n) != NULL);
	CHECK(RIP_ParseNet("10.0.0.0/08", &n) != NULL);
	CHECK(RIP_ParseNet("10.0.0.0/-1", &n) != NULL);
	CHECK(RIP_ParseNet("10.0.0.0/8x", &n) != NULL);
	CHECK(RIP_ParseNet("::/129", &n) != NULL);
	CHECK(RIP_ParseNet("example.com", &n) != NULL);
	CHECK(RIP_ParseNet("", &n) != NULL);
}

static void
t_match(void)
{

	nnets = 0;
	trust("10.0.0.0/8");
	trust("192.168.1.128/25");
	trust("2001:db8:1::/48");
	trust("::1");
	CHECK(match("10.0.0.1"));
	CHECK(match("10.255.255.255"));
	CHECK(!match("11.0.0.0"));
	CHECK(!match("9.255.255.255"));
	CHECK(match("192.168.1.128"));
	CHECK(match("192.168.1.255"));
	CHECK(!match("192.168.1.127"));
	CHECK(match("2001:db8:1:ffff::1"));
	CHECK(!match("2001:db8:2::1"));
	CHECK(match("::1"));
	CHECK(!match("::2"));
	CHECK(!match("::ffff:10.0.0.1"));	/* v4-mapped is not v4 */
	nnets = 0;
	trust("0.0.0.0/0");
	CHECK(match("1.2.3.4"));
	CHECK(!match("::1"));
}

static void
t_parse_addr(void)
{
	struct sockaddr_storage ss;

#define A(s)	RIP_ParseAddr(s, strlen(s), &ss)
	CHECK(A(" 192.0.2.1 ") == 0 && !strcmp(text(&ss), "192.0.2.1"));
	CHECK(A("192.0.2.1:8080") == 0 && !strcmp(text(&ss), "192.0.2.1"));
	CHECK(A("2001:db8::1") == 0 && !strcmp(text(&ss), "2001:db8::1"));
	CHECK(A("[2001:db8::1]") == 0 && !strcmp(text(&ss), "2001:db8::1"));
	CHECK(A("[2001:db8::1]:443") == 0);
	CHECK(A("[2001:db8::1]x") != 0);
	CHECK(A("[2001:db8::1") != 0);
	CHECK(A("unknown") != 0);
	CHECK(A("_hidden") != 0);
	CHECK(A("") != 0);
	CHECK(A("1.2.3") != 0);
	CHECK(A("1.2.3.4.5") != 0);
#undef A
}

/*--------------------------------------------------------------------
 * Walk the lines (the last one first) from a trusted peer; the client.
 */

static const char *
walk(const char *peer, const char * const *lines)
{
	struct sockaddr_storage c;
	int n;

	addr(peer, &c);
	for (n = 0; lines[n] != NULL; n++)
		continue;
	while (n-- > 0)
		if (RIP_Walk(nets, nnets, lines[n], strlen(lines[n]), &c))
			break;
	return (text(&c));
}

#define W(want, peer, ...)						\
	do {								\
		const char * const l_[] = { __VA_ARGS__, NULL };	\
		const char *got_ = walk(peer, l_);			\
		CHECKF(!strcmp(got_, want), "%s, not %s", got_, want);	\
	} while (0)

static void
t_walk(void)
{

	nnets = 0;
	trust("10.0.0.0/8");
	trust("::1/128");
	trust("2001:db8:ff::/48");
	/* one trusted hop */
	W("203.0.113.5", "10.0.0.1", "203.0.113.5");
	/* several trusted hops */
	W("203.0.113.5", "10.0.0.1", "203.0.113.5, 10.1.1.1, 10.2.2.2");
	/* spoofed left-most entries are never reached */
	W("203.0.113.5", "10.0.0.1", "1.1.1.1, 6.6.6.6, 203.0.113.5, 10.9.9.9");
	W("203.0.113.5", "10.0.0.1", "10.0.0.7, 203.0.113.5");
	/* every entry trusted: the left-most */
	W("10.3.3.3", "10.0.0.1", "10.3.3.3,10.4.4.4");
	/* empty value: the peer */
	W("10.0.0.1", "10.0.0.1", "");
	/* garbage ends the walk at the trusted entry to its right */
	W("10.4.4.4", "10.0.0.1", "203.0.113.5, unknown, 10.4.4.4");
	W("10.0.0.1", "10.0.0.1", "203.0.113.5, _obf");
	/* empty elements are skipped */
	W("203.0.113.5", "10.0.0.1", "203.0.113.5, , 10.4.4.4,");
	/* IPv6 */
	W("2001:db8:1::9", "::1", "2001:db8:1::9, 2001:db8:ff::1");
	W("2001:db8:1::9", "::1", "[2001:db8:1::9]:1234");
	W("198.51.100.1", "::1", "198.51.100.1, ::1");
	/* several field lines: the last is walked first */
	W("203.0.113.5", "10.0.0.1", "6.6.6.6, 203.0.113.5", "10.1.1.1");
	W("198.51.100.9", "10.0.0.1", "203.0.113.5", "198.51.100.9");
	/* nothing trusted but the peer */
	nnets = 0;
	trust("127.0.0.1");
	W("10.1.1.1", "127.0.0.1", "203.0.113.5, 10.1.1.1");
}

int
main(void)
{

	RUN(t_nets);
	RUN(t_match);
	RUN(t_parse_addr);
	RUN(t_walk);
	TAP_EXIT();
}
