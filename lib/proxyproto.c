/*-
 * Copyright (c) 2026 The frontd authors
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * proxyproto.c -- the PROXY protocol header, versions 1 and 2 (HAProxy's
 * doc/proxy-protocol.txt).  See proxyproto.h for the contract.
 *
 * Version 1 is one text line, "PROXY TCP4 src dst sport dport\r\n", at
 * most 107 bytes; version 2 is a 12-byte signature, a command, a family,
 * a length and then the addresses and optional TLVs.  The first byte
 * tells them apart ('P' or '\r'), and each byte received is checked
 * against the signature as it arrives, so a port that requires the
 * header refuses a plain request on its first bytes instead of waiting
 * for a timeout.
 *
 * The parser is stateless and reads the whole prefix again on every
 * call.  A header is at most PP_V2_MAX bytes and almost always arrives
 * in one segment, so keeping a position between calls would save
 * nothing and would be one more thing to get wrong when the header is
 * split (nginx refused a v2 header cut across segments, nginx#1400).
 *
 * Strict where the spec is: single spaces in v1, decimal ports without
 * leading zeros, addresses of the family named, a version 2 command and
 * family that exist, and TLVs that fill the rest of a v2 header exactly.
 * TLVs are checked for shape and skipped.  A v2 LOCAL command (a
 * balancer's health check), v1 UNKNOWN and v2 families other than TCP
 * over IPv4 or IPv6 are accepted and leave the connection's own
 * addresses in place, as the spec asks.
 */

#include <sys/types.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "vas.h"
#include "proxyproto.h"

static const char pp_v1_sig[] = "PROXY ";
#define PP_V1_SIGLEN	(sizeof pp_v1_sig - 1)

static const unsigned char pp_v2_sig[12] = {
	0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a
};

#define PP_V2_CMD_LOCAL	0x0
#define PP_V2_CMD_PROXY	0x1
#define PP_V2_AF_INET	0x1
#define PP_V2_AF_INET6	0x2
#define PP_V2_AF_UNIX	0x3
#define PP_V2_LEN_INET	12	/* two IPv4 addresses and two ports */
#define PP_V2_LEN_INET6	36	/* two IPv6 addresses and two ports */

/*--------------------------------------------------------------------
 * Do the first n bytes of p agree with signature sig of siglen bytes?
 */

static int
pp_sig_ok(const unsigned char *p, size_t n, const void *sig, size_t siglen)
{

	return (memcmp(p, sig, n < siglen ? n : siglen) == 0);
}

/*--------------------------------------------------------------------
 * A decimal port: 1 to 5 digits, no leading zero, at most 65535.
 */

static int
pp_port(const char *s, uint16_t *port)
{
	unsigned long v = 0;
	size_t n = strlen(s);

	if (n == 0 || n > 5 || (s[0] == '0' && n > 1))
		return (-1);
	for (; *s != '\0'; s++) {
		if (*s < '0' || *s > '9')
			return (-1);
		v = v * 10 + (unsigned long)(*s - '0');
	}
	if (v > 65535)
		return (-1);
	*port = htons((uint16_t)v);
	return (0);
}

/*--------------------------------------------------------------------
 * An address and port of family af into ss.
 */

static int
pp_addr(int af, const char *a, const char *port, struct sockaddr_storage *ss)
{
	struct sockaddr_in *sin = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof *ss);
	ss->ss_family = (sa_family_t)af;
	if (af == AF_INET)
		return (inet_pton(AF_INET, a, &sin->sin_addr) == 1 &&
		    pp_port(port, &sin->sin_port) == 0 ? 0 : -1);
	assert(af == AF_INET6);
	return (inet_pton(AF_INET6, a, &sin6->sin6_addr) == 1 &&
	    pp_port(port, &sin6->sin6_port) == 0 ? 0 : -1);
}

/*--------------------------------------------------------------------
 * Split a v1 line (after "PROXY ") at single spaces into at most max
 * words.  The number of words, or -1 for an empty word.
 */

static int
pp_v1_words(char *line, char **w, int max)
{
	int n = 0;

	for (;;) {
		if (*line == ' ' || *line == '\0' || n == max)
			return (-1);
		w[n++] = line;
		line = strchr(line, ' ');
		if (line == NULL)
			return (n);
		*line++ = '\0';
	}
}

/*--------------------------------------------------------------------
 * The words of a complete v1 line, of len bytes without its CRLF.
 */

static enum pp_status
pp_v1_line(const unsigned char *p, size_t len, struct pp_hdr *h)
{
	char line[PP_V1_MAX], *w[6];
	int n, af;

	assert(len < sizeof line);
	memcpy(line, p, len);
	line[len] = '\0';
	if (memchr(line, '\0', len) != NULL)
		return (PP_BAD);
	if (strncmp(line, "UNKNOWN", 7) == 0 &&
	    (line[7] == '\0' || line[7] == ' ')) {
		h->family = 0;
		return (PP_COMPLETE);
	}
	n = pp_v1_words(line, w, 6);
	if (n != 5)
		return (PP_BAD);
	if (strcmp(w[0], "TCP4") == 0)
		af = AF_INET;
	else if (strcmp(w[0], "TCP6") == 0)
		af = AF_INET6;
	else
		return (PP_BAD);
	if (pp_addr(af, w[1], w[3], &h->src) ||
	    pp_addr(af, w[2], w[4], &h->dst))
		return (PP_BAD);
	h->family = af;
	return (PP_COMPLETE);
}

/*--------------------------------------------------------------------
 * Version 1: a line of printable bytes ending in CRLF.
 */

static enum pp_status
pp_v1(const unsigned char *p, size_t n, struct pp_hdr *h)
{
	size_t u, max = n < PP_V1_MAX - 1 ? n : PP_V1_MAX - 1;

	if (!pp_sig_ok(p, n, pp_v1_sig, PP_V1_SIGLEN))
		return (PP_BAD);
	for (u = 0; u < max; u++) {	/* the CR, at most at 105 */
		if (p[u] == '\r')
			break;
		if (p[u] < 0x20 || p[u] > 0x7e)
			return (PP_BAD);
	}
	if (u == max)
		return (n >= PP_V1_MAX - 1 ? PP_TOO_LARGE : PP_MORE);
	if (u < PP_V1_SIGLEN)
		return (PP_BAD);
	if (u + 1 == n)
		return (PP_MORE);
	if (p[u + 1] != '\n')
		return (PP_BAD);
	h->version = 1;
	h->len = (unsigned)(u + 2);
	return (pp_v1_line(p + PP_V1_SIGLEN, u - PP_V1_SIGLEN, h));
}

/*--------------------------------------------------------------------
 * The TLVs after a v2 address block: each a type, a 16-bit length and
 * that many bytes, filling what is left exactly.  Skipped.
 */

static int
pp_v2_tlvs(const unsigned char *p, size_t n)
{
	size_t l;

	while (n > 0) {
		if (n < 3)
			return (-1);
		l = (size_t)p[1] << 8 | p[2];
		if (l > n - 3)
			return (-1);
		p += 3 + l;
		n -= 3 + l;
	}
	return (0);
}

/*--------------------------------------------------------------------
 * The address block of a v2 PROXY command, of len bytes at p.
 */

static enum pp_status
pp_v2_addrs(unsigned fam, const unsigned char *p, size_t len,
    struct pp_hdr *h)
{
	struct sockaddr_in *s4, *d4;
	struct sockaddr_in6 *s6, *d6;
	size_t need;

	memset(&h->src, 0, sizeof h->src);
	memset(&h->dst, 0, sizeof h->dst);
	if ((fam & 0xf) != 0x1) {
		h->family = 0;		/* not a stream: the spec's UNSPEC */
		return (PP_COMPLETE);
	}
	if (fam >> 4 == PP_V2_AF_INET) {
		need = PP_V2_LEN_INET;
		if (len < need)
			return (PP_BAD);
		s4 = (struct sockaddr_in *)&h->src;
		d4 = (struct sockaddr_in *)&h->dst;
		s4->sin_family = d4->sin_family = AF_INET;
		memcpy(&s4->sin_addr, p, 4);
		memcpy(&d4->sin_addr, p + 4, 4);
		memcpy(&s4->sin_port, p + 8, 2);
		memcpy(&d4->sin_port, p + 10, 2);
		h->family = AF_INET;
	} else if (fam >> 4 == PP_V2_AF_INET6) {
		need = PP_V2_LEN_INET6;
		if (len < need)
			return (PP_BAD);
		s6 = (struct sockaddr_in6 *)&h->src;
		d6 = (struct sockaddr_in6 *)&h->dst;
		s6->sin6_family = d6->sin6_family = AF_INET6;
		memcpy(&s6->sin6_addr, p, 16);
		memcpy(&d6->sin6_addr, p + 16, 16);
		memcpy(&s6->sin6_port, p + 32, 2);
		memcpy(&d6->sin6_port, p + 34, 2);
		h->family = AF_INET6;
	} else {
		h->family = 0;		/* AF_UNSPEC or AF_UNIX */
		return (PP_COMPLETE);
	}
	return (pp_v2_tlvs(p + need, len - need) ? PP_BAD : PP_COMPLETE);
}

/*--------------------------------------------------------------------
 * Version 2: the signature, version and command, family, length, and
 * that many bytes.
 */

static enum pp_status
pp_v2(const unsigned char *p, size_t n, struct pp_hdr *h)
{
	unsigned cmd, fam;
	size_t len;

	if (!pp_sig_ok(p, n, pp_v2_sig, sizeof pp_v2_sig))
		return (PP_BAD);
	if (n > 12 && ((p[12] >> 4) != 2 || (p[12] & 0xf) > PP_V2_CMD_PROXY))
		return (PP_BAD);
	if (n > 13 && ((p[13] >> 4) > PP_V2_AF_UNIX || (p[13] & 0xf) > 2))
		return (PP_BAD);
	if (n < PP_V2_HDR)
		return (PP_MORE);
	cmd = p[12] & 0xf;
	fam = p[13];
	len = (size_t)p[14] << 8 | p[15];
	if (PP_V2_HDR + len > PP_V2_MAX)
		return (PP_TOO_LARGE);
	if (n < PP_V2_HDR + len)
		return (PP_MORE);
	h->version = 2;
	h->len = (unsigned)(PP_V2_HDR + len);
	if (cmd == PP_V2_CMD_LOCAL) {
		h->family = 0;
		return (PP_COMPLETE);
	}
	return (pp_v2_addrs(fam, p + PP_V2_HDR, len, h));
}

/*--------------------------------------------------------------------
 * Read a header from the first n bytes of a connection.  See
 * proxyproto.h.
 */

enum pp_status
PP_Parse(const void *buf, size_t n, struct pp_hdr *h)
{
	const unsigned char *p = buf;

	AN(h);
	if (n == 0)
		return (PP_MORE);
	AN(p);
	if (p[0] == pp_v1_sig[0])
		return (pp_v1(p, n, h));
	if (p[0] == pp_v2_sig[0])
		return (pp_v2(p, n, h));
	return (PP_BAD);
}

/*--------------------------------------------------------------------
 * A v1 line for src and dst.
 */

static size_t
pp_write_v1(char *buf, size_t len, const struct sockaddr *src,
    const struct sockaddr *dst)
{
	char sa[INET6_ADDRSTRLEN], da[INET6_ADDRSTRLEN];
	const void *s, *d;
	unsigned sp, dp;
	int l;

	if (src == NULL)
		l = snprintf(buf, len, "PROXY UNKNOWN\r\n");
	else {
		if (src->sa_family == AF_INET) {
			s = &((const struct sockaddr_in *)src)->sin_addr;
			d = &((const struct sockaddr_in *)dst)->sin_addr;
			sp = ntohs(((const struct sockaddr_in *)src)->sin_port);
			dp = ntohs(((const struct sockaddr_in *)dst)->sin_port);
		} else {
			s = &((const struct sockaddr_in6 *)src)->sin6_addr;
			d = &((const struct sockaddr_in6 *)dst)->sin6_addr;
			sp = ntohs(((const struct sockaddr_in6 *)src)->sin6_port);
			dp = ntohs(((const struct sockaddr_in6 *)dst)->sin6_port);
		}
		AN(inet_ntop(src->sa_family, s, sa, sizeof sa));
		AN(inet_ntop(src->sa_family, d, da, sizeof da));
		l = snprintf(buf, len, "PROXY %s %s %s %u %u\r\n",
		    src->sa_family == AF_INET ? "TCP4" : "TCP6",
		    sa, da, sp, dp);
	}
	if (l < 0 || (size_t)l >= len)
		return (0);
	return ((size_t)l);
}

/*--------------------------------------------------------------------
 * A v2 header for src and dst, with no TLV.
 */

static size_t
pp_write_v2(unsigned char *p, size_t len, const struct sockaddr *src,
    const struct sockaddr *dst)
{
	const struct sockaddr_in *s4, *d4;
	const struct sockaddr_in6 *s6, *d6;
	size_t al = 0;

	if (len < PP_V2_HDR + PP_V2_LEN_INET6)
		return (0);
	memcpy(p, pp_v2_sig, sizeof pp_v2_sig);
	p[12] = 0x20 | (src != NULL ? PP_V2_CMD_PROXY : PP_V2_CMD_LOCAL);
	p[13] = 0;
	if (src != NULL && src->sa_family == AF_INET) {
		s4 = (const struct sockaddr_in *)src;
		d4 = (const struct sockaddr_in *)dst;
		p[13] = PP_V2_AF_INET << 4 | 0x1;
		memcpy(p + 16, &s4->sin_addr, 4);
		memcpy(p + 20, &d4->sin_addr, 4);
		memcpy(p + 24, &s4->sin_port, 2);
		memcpy(p + 26, &d4->sin_port, 2);
		al = PP_V2_LEN_INET;
	} else if (src != NULL) {
		s6 = (const struct sockaddr_in6 *)src;
		d6 = (const struct sockaddr_in6 *)dst;
		p[13] = PP_V2_AF_INET6 << 4 | 0x1;
		memcpy(p + 16, &s6->sin6_addr, 16);
		memcpy(p + 32, &d6->sin6_addr, 16);
		memcpy(p + 48, &s6->sin6_port, 2);
		memcpy(p + 50, &d6->sin6_port, 2);
		al = PP_V2_LEN_INET6;
	}
	p[14] = (unsigned char)(al >> 8);
	p[15] = (unsigned char)al;
	return (PP_V2_HDR + al);
}

/*--------------------------------------------------------------------
 * Write a header; see proxyproto.h.
 */

size_t
PP_Write(void *buf, size_t len, unsigned version, const struct sockaddr *src,
    const struct sockaddr *dst)
{

	AN(buf);
	assert(version == 1 || version == 2);
	if (src != NULL) {
		AN(dst);
		assert(src->sa_family == AF_INET ||
		    src->sa_family == AF_INET6);
		assert(dst->sa_family == src->sa_family);
	}
	if (version == 1)
		return (pp_write_v1(buf, len, src, dst));
	return (pp_write_v2(buf, len, src, dst));
}

/*--------------------------------------------------------------------
 * The name of a status.
 */

const char *
PP_StatusName(enum pp_status st)
{

	switch (st) {
	case PP_COMPLETE:	return ("complete");
	case PP_MORE:		return ("more");
	case PP_BAD:		return ("bad");
	case PP_TOO_LARGE:	return ("too_large");
	default:		return ("?");
	}
}
