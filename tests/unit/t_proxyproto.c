/*-
 * Copyright (c) 2026 The frontd authors
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * t_proxyproto.c -- the PROXY protocol header reader and writer.
 *
 * Every good header is given cut at every byte offset: each prefix must
 * ask for more and never be taken for a header, and the whole must give
 * the same addresses, alone or with a request behind it.  Every bad one
 * must be refused at its full length and never accepted at a shorter
 * one.  Headers written by PP_Write must read back as written.
 */

#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "vas.h"
#include "proxyproto.h"
#include "tap.h"

#define S(s)		s, sizeof(s) - 1

/*--------------------------------------------------------------------
 * The source address and port of a header, as text.
 */

static void
src_text(const struct pp_hdr *h, char *buf, size_t len)
{
	const struct sockaddr_in *s4 = (const void *)&h->src;
	const struct sockaddr_in6 *s6 = (const void *)&h->src;
	char a[INET6_ADDRSTRLEN];

	if (h->family == AF_INET) {
		AN(inet_ntop(AF_INET, &s4->sin_addr, a, sizeof a));
		(void)snprintf(buf, len, "%s:%u", a, ntohs(s4->sin_port));
	} else if (h->family == AF_INET6) {
		AN(inet_ntop(AF_INET6, &s6->sin6_addr, a, sizeof a));
		(void)snprintf(buf, len, "[%s]:%u", a, ntohs(s6->sin6_port));
	} else
		(void)snprintf(buf, len, "-");
}

/*--------------------------------------------------------------------
 * A good header of n bytes: at every cut, more; whole, complete with
 * version v and source 'src'; with a request behind it, the same.
 */

static void
good(const char *p, size_t n, unsigned v, const char *src)
{
	char buf[4096], txt[80];
	struct pp_hdr h;
	enum pp_status st;
	size_t u;

	for (u = 0; u < n; u++) {
		st = PP_Parse(p, u, &h);
		CHECKF(st == PP_MORE, "%s: cut at %zu: %s", src, u,
		    PP_StatusName(st));
	}
	assert(n + 40 < sizeof buf);
	memcpy(buf, p, n);
	memcpy(buf + n, "GET / HTTP/1.1\r\nHost: a\r\n\r\n", 27);
	for (u = n; u <= n + 27; u += 27) {
		memset(&h, 0, sizeof h);
		st = PP_Parse(buf, u, &h);
		CHECKF(st == PP_COMPLETE, "%s: whole: %s", src,
		    PP_StatusName(st));
		CHECKF(h.len == n, "%s: len %u, not %zu", src, h.len, n);
		CHECK(h.version == v);
		src_text(&h, txt, sizeof txt);
		CHECKF(!strcmp(txt, src), "got %s, not %s", txt, src);
	}
}

/*--------------------------------------------------------------------
 * A bad header: status 'want' at full length, never complete before.
 */

static void
bad(const char *p, size_t n, enum pp_status want, const char *what)
{
	struct pp_hdr h;
	enum pp_status st;
	size_t u;

	for (u = 0; u < n; u++) {
		st = PP_Parse(p, u, &h);
		CHECKF(st != PP_COMPLETE, "%s: complete at %zu", what, u);
	}
	st = PP_Parse(p, n, &h);
	CHECKF(st == want, "%s: %s, not %s", what, PP_StatusName(st),
	    PP_StatusName(want));
}

static void
t_v1_good(void)
{

	good(S("PROXY TCP4 192.0.2.1 198.51.100.2 56324 443\r\n"), 1,
	    "192.0.2.1:56324");
	good(S("PROXY TCP6 2001:db8::1 ::1 1 65535\r\n"), 1,
	    "[2001:db8::1]:1");
	good(S("PROXY TCP6 ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff "
	    "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff 65535 65535\r\n"), 1,
	    "[ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff]:65535");
	good(S("PROXY UNKNOWN\r\n"), 1, "-");
	good(S("PROXY UNKNOWN ffff::1 ::1 1 2\r\n"), 1, "-");
	good(S("PROXY TCP4 10.0.0.1 10.0.0.2 0 80\r\n"), 1, "10.0.0.1:0");
}

static void
t_v1_bad(void)
{
	char big[200];

	bad(S("PROXY TCP4 192.0.2.1 198.51.100.2 56324  443\r\n"), PP_BAD,
	    "two spaces");
	bad(S("PROXY TCP4 192.0.2.1 198.51.100.2 56324\r\n"), PP_BAD,
	    "four words");
	bad(S("PROXY TCP4 192.0.2.1 198.51.100.2 1 2 3\r\n"), PP_BAD,
	    "six words");
	bad(S("PROXY TCP4 ::1 ::1 1 2\r\n"), PP_BAD, "TCP4 with IPv6");
	bad(S("PROXY TCP6 1.2.3.4 1.2.3.4 1 2\r\n"), PP_BAD, "TCP6 with IPv4");
	bad(S("PROXY TCP4 1.2.3.4 1.2.3.4 65536 2\r\n"), PP_BAD, "port");
	bad(S("PROXY TCP4 1.2.3.4 1.2.3.4 080 2\r\n"), PP_BAD, "leading 0");
	bad(S("PROXY TCP4 1.2.3.4 1.2.3.4 -1 2\r\n"), PP_BAD, "sign");
	bad(S("PROXY TCP4 1.2.3.4 1.2.3.256 1 2\r\n"), PP_BAD, "octet");
	bad(S("PROXY UDP4 1.2.3.4 1.2.3.4 1 2\r\n"), PP_BAD, "UDP4");
	bad(S("PROXY TCP4 1.2.3.4 1.2.3.4 1 2\n"), PP_BAD, "bare LF");
	bad(S("PROXY TCP4 1.2.3.4 1.2.3.4 1 2\rX"), PP_BAD, "bare CR");
	bad(S("PROXY TCP4 1.2.3.4\t1.2.3.4 1 2\r\n"), PP_BAD, "tab");
	bad(S("PROXY \r\n"), PP_BAD, "empty");
	bad(S("PROXY\r\n"), PP_BAD, "no space");
	bad(S("proxy TCP4 1.2.3.4 1.2.3.4 1 2\r\n"), PP_BAD, "lower case");
	bad(S("PROXY TCP4 1.2.3.4 1.2.3.4 1 2\0\r\n"), PP_BAD, "NUL");
	bad(S("GET / HTTP/1.1\r\n\r\n"), PP_BAD, "no header");
	bad(S("G"), PP_BAD, "first byte of a request");
	bad(S("PRXY"), PP_BAD, "not the signature");
	memset(big, 'x', sizeof big);
	memcpy(big, "PROXY UNKNOWN ", 14);
	bad(big, sizeof big, PP_TOO_LARGE, "no CRLF in 107 bytes");
	memcpy(big + 104, "\r\n", 2);
	CHECK(PP_Parse(big, 106, &(struct pp_hdr){ 0 }) == PP_COMPLETE);
	memcpy(big + 104, "x\r\n", 3);
	CHECK(PP_Parse(big, 107, &(struct pp_hdr){ 0 }) == PP_COMPLETE);
	memcpy(big + 104, "xx\r\n", 4);
	CHECK(PP_Parse(big, 108, &(struct pp_hdr){ 0 }) == PP_TOO_LARGE);
}

/* A v2 header: signature, command, family, 16-bit length. */
#define V2SIG	"\r\n\r\n\0\r\nQUIT\n"
#define V2(cmd, fam, l)	V2SIG cmd fam "\x00" l

static void
t_v2_good(void)
{

	good(S(V2("\x21", "\x11", "\x0c") "\xc0\x00\x02\x01" "\x7f\x00\x00\x01"
	    "\xdc\x04" "\x01\xbb"), 2, "192.0.2.1:56324");
	good(S(V2("\x21", "\x21", "\x24")
	    "\x20\x01\x0d\xb8\0\0\0\0\0\0\0\0\0\0\0\x07"
	    "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\x01" "\x00\x50" "\x1f\x90"), 2,
	    "[2001:db8::7]:80");
	/* LOCAL: a health check, the addresses (if any) ignored */
	good(S(V2("\x20", "\x00", "\x00")), 2, "-");
	good(S(V2("\x20", "\x11", "\x0c") "\x01\x02\x03\x04\x05\x06\x07\x08"
	    "\0\1\0\2"), 2, "-");
	/* TLVs, skipped: ALPN "h2", AUTHORITY, NOOP of 0 bytes */
	good(S(V2("\x21", "\x11", "\x1c") "\x0a\x00\x00\x01" "\x0a\x00\x00\x02"
	    "\x04\xd2" "\x00\x50" "\x01\x00\x02h2" "\x02\x00\x05" "a.com"
	    "\x04\x00\x00"), 2, "10.0.0.1:1234");
	/* UNSPEC, UDP, UNIX: the connection's own addresses */
	good(S(V2("\x21", "\x00", "\x00")), 2, "-");
	good(S(V2("\x21", "\x12", "\x0c") "\x01\x02\x03\x04\x05\x06\x07\x08"
	    "\0\1\0\2"), 2, "-");
	good(S(V2("\x21", "\x31", "\x00")), 2, "-");
}

static void
t_v2_bad(void)
{
	char big[PP_V2_MAX + 64];

	bad(S(V2("\x11", "\x11", "\x00")), PP_BAD, "version 1 in v2");
	bad(S(V2("\x22", "\x11", "\x00")), PP_BAD, "command 2");
	bad(S(V2("\x21", "\x41", "\x00")), PP_BAD, "family 4");
	bad(S(V2("\x21", "\x13", "\x00")), PP_BAD, "protocol 3");
	bad(S(V2("\x21", "\x11", "\x08") "\x01\x02\x03\x04\x05\x06\x07\x08"),
	    PP_BAD, "short IPv4 block");
	bad(S(V2("\x21", "\x21", "\x0c") "\x01\x02\x03\x04\x05\x06\x07\x08"
	    "\0\1\0\2"), PP_BAD, "short IPv6 block");
	bad(S(V2("\x21", "\x11", "\x0e") "\x01\x02\x03\x04\x05\x06\x07\x08"
	    "\0\1\0\2" "\x01\x00"), PP_BAD, "TLV cut in its head");
	bad(S(V2("\x21", "\x11", "\x10") "\x01\x02\x03\x04\x05\x06\x07\x08"
	    "\0\1\0\2" "\x01\x00\x05h"), PP_BAD, "TLV longer than the rest");
	bad(S("\r\n\r\n\0\r\nQUIX\n"), PP_BAD, "signature");
	bad(S("\r\n\r\nGET"), PP_BAD, "CRLFs before a request");
	memset(big, 0, sizeof big);
	memcpy(big, V2("\x21", "\x11", "\x08"), 16);
	big[14] = (char)(PP_V2_MAX >> 8);
	big[15] = (char)(PP_V2_MAX & 0xff);
	bad(big, 16, PP_TOO_LARGE, "length over PP_V2_MAX");
	big[14] = (char)((PP_V2_MAX - 16) >> 8);
	big[15] = (char)((PP_V2_MAX - 16) & 0xff);
	big[13] = 0x00;			/* UNSPEC: any bytes will do */
	CHECK(PP_Parse(big, 16, &(struct pp_hdr){ 0 }) == PP_MORE);
	CHECK(PP_Parse(big, PP_V2_MAX, &(struct pp_hdr){ 0 }) ==
	    PP_COMPLETE);
	big[14] = (char)0xff;
	big[15] = (char)0xff;
	CHECK(PP_Parse(big, sizeof big, &(struct pp_hdr){ 0 }) ==
	    PP_TOO_LARGE);
}

/*--------------------------------------------------------------------
 * Write a header and read it back.
 */

static void
roundtrip(unsigned v, int af, const char *sa, const char *want)
{
	struct sockaddr_storage s, d;
	struct sockaddr_in *s4 = (void *)&s, *d4 = (void *)&d;
	struct sockaddr_in6 *s6 = (void *)&s, *d6 = (void *)&d;
	char buf[256];
	struct pp_hdr h;
	size_t n;

	memset(&s, 0, sizeof s);
	memset(&d, 0, sizeof d);
	s.ss_family = d.ss_family = (sa_family_t)af;
	if (af == AF_INET) {
		AN(inet_pton(af, sa, &s4->sin_addr));
		AN(inet_pton(af, "127.0.0.1", &d4->sin_addr));
		s4->sin_port = htons(4711);
		d4->sin_port = htons(80);
	} else {
		AN(inet_pton(af, sa, &s6->sin6_addr));
		AN(inet_pton(af, "::1", &d6->sin6_addr));
		s6->sin6_port = htons(4711);
		d6->sin6_port = htons(80);
	}
	n = PP_Write(buf, sizeof buf, v, (struct sockaddr *)&s,
	    (struct sockaddr *)&d);
	CHECK(n > 0);
	good(buf, n, v, want);
	CHECK(PP_Parse(buf, n, &h) == PP_COMPLETE);
	CHECK(PP_Write(buf, 10, v, (struct sockaddr *)&s,
	    (struct sockaddr *)&d) == 0);
	n = PP_Write(buf, sizeof buf, v, NULL, NULL);
	CHECK(n > 0);
	good(buf, n, v, "-");
}

static void
t_write(void)
{
	unsigned v;

	for (v = 1; v <= 2; v++) {
		roundtrip(v, AF_INET, "203.0.113.9", "203.0.113.9:4711");
		roundtrip(v, AF_INET6, "2001:db8::9", "[2001:db8::9]:4711");
	}
}

int
main(void)
{

	RUN(t_v1_good);
	RUN(t_v1_bad);
	RUN(t_v2_good);
	RUN(t_v2_bad);
	RUN(t_write);
	TAP_EXIT();
}
