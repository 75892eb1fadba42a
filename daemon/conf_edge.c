/*-
 * Copyright (c) 2026 The frontd authors
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * conf_edge.c -- the syntax of the keys that place frontd behind a load
 * balancer: listen entries with options ("10.0.0.5:8080 proxy_protocol"),
 * trusted_proxies networks, and the PROXY header version a backend is
 * sent.  Like conf_text.c it knows neither libconfuse nor struct conf:
 * conf.c calls these from its value callbacks, while libconfuse still
 * knows the line, and again when it copies the values.
 *
 * A listen entry is an address and then words, separated by blanks.  An
 * unknown word is an error, never ignored: a misspelt "proxy_protocol"
 * would otherwise open a port that takes the balancer's header for a
 * request.
 */

#include <sys/types.h>
#include <sys/socket.h>

#include <stdio.h>
#include <string.h>

#include "vas.h"
#include "conf.h"
#include "conf_priv.h"

#define CONF_LISTEN_MAX	128	/* longest listen entry */

/* The options a listen entry may carry. */
static const struct {
	const char	*word;
	unsigned	flag;
} conf_lopts[] = {
	{ "proxy_protocol",	CONF_L_PROXY },
	{ NULL,			0 }
};

/*--------------------------------------------------------------------
 * The flag of a listen option word, or 0.
 */

static unsigned
conf_lopt(const char *w)
{
	unsigned u;

	for (u = 0; conf_lopts[u].word != NULL; u++)
		if (strcmp(conf_lopts[u].word, w) == 0)
			return (conf_lopts[u].flag);
	return (0);
}

/*--------------------------------------------------------------------
 * Parse a listen entry: "ADDRESS [OPTION ...]".  NULL, or why not;
 * *flags gets the CONF_L_* options.
 */

const char *
Conf_ParseListen(const char *spec, struct sockaddr_storage *ss,
    socklen_t *lenp, unsigned *flags)
{
	static const char sep[] = " \t";
	char buf[CONF_LISTEN_MAX], *w, *save;
	const char *why;
	unsigned f;

	AN(flags);
	*flags = 0;
	if (strlen(spec) >= sizeof buf)
		return ("too long");
	(void)strcpy(buf, spec);
	w = strtok_r(buf, sep, &save);
	if (w == NULL)
		return ("no address");
	why = Conf_ParseAddr(w, 1, ss, lenp);
	if (why != NULL)
		return (why);
	while ((w = strtok_r(NULL, sep, &save)) != NULL) {
		f = conf_lopt(w);
		if (f == 0)
			return ("unknown option (want proxy_protocol)");
		if (*flags & f)
			return ("option given twice");
		*flags |= f;
	}
	return (NULL);
}

/*--------------------------------------------------------------------
 * Parse a trusted_proxies entry: "10.0.0.0/8", "::1/128", or a bare
 * address.  NULL, or why not.
 */

const char *
Conf_ParseNet(const char *spec, struct rip_net *net)
{

	return (RIP_ParseNet(spec, net));
}

/*--------------------------------------------------------------------
 * Parse send_proxy: "v1", "v2" or "off".  NULL, or why not; *version
 * gets 1, 2 or 0.
 */

const char *
Conf_ParseSendProxy(const char *s, unsigned *version)
{

	if (strcmp(s, "v1") == 0)
		*version = 1;
	else if (strcmp(s, "v2") == 0)
		*version = 2;
	else if (strcmp(s, "off") == 0)
		*version = 0;
	else
		return ("not \"v1\", \"v2\" or \"off\"");
	return (NULL);
}
