/*-
 * Copyright (c) 2026 The frontd authors
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * proxyproto.h -- the PROXY protocol header (versions 1 and 2) that an
 * L4 balancer sends before the first byte of a connection, and the one
 * frontd sends to a backend.
 *
 * The reader is given the bytes received so far, from the first byte of
 * the connection, and says: complete (with the header's length and the
 * addresses it carries), need more, or refused.  It keeps no state: the
 * caller buffers, and calls again with more bytes, so a header split
 * across TCP segments anywhere is read the same as a whole one.  A byte
 * that cannot begin either signature is refused at once: a port that
 * requires the header never guesses that a plain request came instead.
 */

#ifndef FRONTD_PROXYPROTO_H
#define FRONTD_PROXYPROTO_H

#include <sys/types.h>
#include <sys/socket.h>

#define PP_V1_MAX	107	/* the longest v1 line, CRLF included */
#define PP_V2_HDR	16	/* signature, command, family, length */
#define PP_V2_MAX	2048	/* the longest v2 header accepted */
#define PP_MAX		PP_V2_MAX

enum pp_status {
	PP_COMPLETE = 0,	/* a header of pp_hdr.len bytes */
	PP_MORE,		/* a prefix of a header: read more */
	PP_BAD,			/* malformed, or no signature at all */
	PP_TOO_LARGE,		/* longer than PP_V1_MAX or PP_V2_MAX */
};

struct pp_hdr {
	unsigned		version;	/* 1 or 2 */
	unsigned		len;		/* bytes of the header */
	/*
	 * 0: LOCAL (v2), UNKNOWN (v1), or an address family not TCP over
	 * IPv4 or IPv6: the connection's own addresses stand.  Else the
	 * family of src and dst.
	 */
	int			family;
	struct sockaddr_storage	src;		/* the client */
	struct sockaddr_storage	dst;		/* the address it reached */
};

/*
 * Read a header from the first n bytes of a connection.  With
 * PP_COMPLETE, *h is filled in; otherwise it is undefined.  Never reads
 * past p[n - 1]; any thread.
 */
enum pp_status PP_Parse(const void *p, size_t n, struct pp_hdr *h);

/*
 * Write a header for a connection from src to dst (both AF_INET or both
 * AF_INET6; src NULL: v1 UNKNOWN or v2 LOCAL) into buf.  Returns its
 * length, or 0 if it does not fit in len.
 */
size_t PP_Write(void *buf, size_t len, unsigned version,
    const struct sockaddr *src, const struct sockaddr *dst);

/* The name of a status, for logs and tests. */
const char *PP_StatusName(enum pp_status);

#endif /* FRONTD_PROXYPROTO_H */
