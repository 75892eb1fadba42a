/*-
 * Copyright (c) 2026 The frontd authors
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * realip.h -- trusted networks, and the real client address behind a
 * chain of proxies.
 *
 * A request that came through trusted proxies carries the addresses it
 * passed in X-Forwarded-For, oldest first.  Only the entries the trusted
 * proxies added can be believed: everything left of the first untrusted
 * address, reading from the right, is whatever that client chose to
 * send.  The real client is therefore the right-most address that is not
 * itself trusted (nginx's real_ip_recursive on; Pound's TrustedIP).
 */

#ifndef FRONTD_REALIP_H
#define FRONTD_REALIP_H

#include <sys/types.h>
#include <sys/socket.h>
#include <stdint.h>

struct rip_net {
	int		family;		/* AF_INET or AF_INET6 */
	unsigned	bits;		/* prefix length */
	uint8_t		addr[16];	/* network, host bits zero */
};

/*
 * Parse "10.0.0.0/8", "::1/128", or a bare address (a /32 or /128).  NULL,
 * or why not (host bits set are refused: "10.0.0.1/8" is most likely a
 * mistake).  Any thread.
 */
const char *RIP_ParseNet(const char *s, struct rip_net *);

/* Is sa (AF_INET or AF_INET6) in one of the n networks?  Any thread. */
int RIP_Match(const struct rip_net *, unsigned n, const struct sockaddr *sa);

/*
 * Parse one X-Forwarded-For entry: an IPv4 or IPv6 address, optionally
 * "[v6]", "[v6]:port" or "v4:port", with blanks around.  0, or -1.
 */
int RIP_ParseAddr(const char *p, size_t len, struct sockaddr_storage *);

/*
 * Walk one X-Forwarded-For field value (a comma-separated list of len
 * bytes) from the right.  *client holds the address reached so far (at
 * first the peer, which the caller found trusted); each entry read
 * replaces it while the entry before it was trusted.  Returns 1 when the
 * walk ended (an untrusted entry, or one that is not an address: then
 * the one before it stands), 0 when every entry was trusted, and the
 * field line above this one, if any, is to be walked next.
 */
int RIP_Walk(const struct rip_net *, unsigned n, const char *list,
    size_t len, struct sockaddr_storage *client);

#endif /* FRONTD_REALIP_H */
