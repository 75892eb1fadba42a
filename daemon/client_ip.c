/*-
 * Copyright (c) 2026 The frontd authors
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * client_ip.c -- the address a request is from, behind trusted proxies.
 *
 * The session's peer is the client, or what the PROXY header said it
 * was.  When that peer is in trusted_proxies, it is a balancer or proxy
 * frontd was told to believe, and the request's client is the
 * right-most X-Forwarded-For entry that is not itself trusted
 * (lib/realip.c walks the list; field lines are walked from the last,
 * which the nearest proxy appended to).  That address is what the
 * access log shows and what a director hashing on the client sees; the
 * backend gets the whole chain, the peer appended (proxy_head.c).  From
 * any other peer the field is not read at all.
 *
 * Rejected: taking the left-most entry (anyone can write it), and
 * believing the field from every peer (the default of some proxies, and
 * the way logs and rate limits get spoofed).
 */

#include <arpa/inet.h>
#include <string.h>

#include "frontd.h"
#include "conf.h"
#include "realip.h"

/*--------------------------------------------------------------------
 * Is the session's peer a trusted proxy?  Any thread.
 */

int
CIP_Trusted(const struct conf *conf, const union sockaddr_u *peer)
{

	CHECK_OBJ_NOTNULL(conf, CONF_MAGIC);
	if (conf->ntrusted == 0)
		return (0);
	return (RIP_Match(conf->trusted, conf->ntrusted, &peer->sa));
}

/*--------------------------------------------------------------------
 * The client of a request with head h from peer into *client.  Returns
 * whether the peer is trusted (then its X-Forwarded-For is kept and
 * appended to).  The worker that owns the request.
 */

int
CIP_Client(const struct conf *conf, const union sockaddr_u *peer,
    const struct h1_head *h, const char *base, union sockaddr_u *client)
{
	struct sockaddr_storage ss;
	const struct h1_field *f;
	unsigned u;

	*client = *peer;
	if (!CIP_Trusted(conf, peer))
		return (0);
	memset(&ss, 0, sizeof ss);
	memcpy(&ss, peer, sizeof *peer);
	for (u = h->nfield; u-- > 0;) {
		f = &h->field[u];
		if (!H1_SpanIs(base, &f->name, "x-forwarded-for"))
			continue;
		if (RIP_Walk(conf->trusted, conf->ntrusted, base + f->value.off,
		    f->value.len, &ss))
			break;
	}
	if (ss.ss_family == AF_INET)
		memcpy(&client->sin, &ss, sizeof client->sin);
	else {
		assert(ss.ss_family == AF_INET6);
		memcpy(&client->sin6, &ss, sizeof client->sin6);
	}
	return (1);
}

/*--------------------------------------------------------------------
 * An address as text, without its port.
 */

void
CIP_Text(const union sockaddr_u *su, char *buf, size_t len)
{

	if (su->sa.sa_family == AF_INET6)
		AN(inet_ntop(AF_INET6, &su->sin6.sin6_addr, buf, len));
	else
		AN(inet_ntop(AF_INET, &su->sin.sin_addr, buf, len));
}
