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

#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vas.h"
#include "conf.h"
#include "conf_priv.h"

#define CONF_LISTEN_MAX	128	/* longest listen entry */
#define CONF_TOKEN_MIN	16	/* bytes of admin secret, at least */
#define CONF_TOKEN_MAX	256

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

/*--------------------------------------------------------------------
 * Is an admin_listen value a bare port ("8081" or ":8081")?  The port,
 * else -1.
 */

static int
conf_bare_port(const char *spec)
{
	long v;
	char *end;

	if (*spec == ':')
		spec++;
	if (*spec < '0' || *spec > '9')
		return (-1);
	errno = 0;
	v = strtol(spec, &end, 10);
	if (*end != '\0' || errno != 0 || v < 1 || v > 65535)
		return (-1);
	return ((int)v);
}

/*--------------------------------------------------------------------
 * Parse admin_listen: an address and port, or a bare port, which means
 * loopback only.  NULL, or why not.
 */

const char *
Conf_ParseAdmin(const char *spec, struct sockaddr_storage *ss,
    socklen_t *lenp)
{
	char buf[32];

	if (conf_bare_port(spec) > 0) {
		(void)snprintf(buf, sizeof buf, "127.0.0.1:%d",
		    conf_bare_port(spec));
		return (Conf_ParseAddr(buf, 0, ss, lenp));
	}
	return (Conf_ParseAddr(spec, 1, ss, lenp));
}

/*--------------------------------------------------------------------
 * admin_listen as the admin listener takes it: a bare port becomes
 * "127.0.0.1:PORT".  Allocated; NULL stays NULL.
 */

static char *
conf_admin_spec(const char *spec)
{
	char buf[32];

	if (spec == NULL || conf_bare_port(spec) < 0)
		return (Conf_Strdup(spec));
	(void)snprintf(buf, sizeof buf, "127.0.0.1:%d", conf_bare_port(spec));
	return (Conf_Strdup(buf));
}

/*--------------------------------------------------------------------
 * Read the admin secret from 'file' into c: one line, blanks at its end
 * dropped.  NULL, or why not.  A file others may read is taken, with a
 * warning in *warn (the daemon logs it): refusing would stop a reload
 * over a chmod.
 */

static const char *
conf_token(const char *file, struct conf *c, const char **warn)
{
	struct stat st;
	char *buf;
	size_t len;
	int fd;

	fd = open(file, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0 || fstat(fd, &st) != 0) {
		if (fd >= 0)
			(void)close(fd);
		return (strerror(errno));
	}
	(void)close(fd);
	if (!S_ISREG(st.st_mode))
		return ("not a regular file");
	if ((buf = Conf_ReadFile(file, &len)) == NULL)
		return (strerror(errno));
	while (len > 0 && strchr(" \t\r\n", buf[len - 1]) != NULL)
		buf[--len] = '\0';
	if (len < CONF_TOKEN_MIN || len > CONF_TOKEN_MAX ||
	    strlen(buf) != len || strpbrk(buf, " \t\r\n") != NULL) {
		free(buf);
		return ("want one word of 16 to 256 bytes");
	}
	c->admin_token = buf;
	c->admin_tokenlen = len;
	*warn = (st.st_mode & 077) != 0 ? "group or others may read it" :
	    NULL;
	return (NULL);
}

/*--------------------------------------------------------------------
 * Copy the admin keys: admin_listen (a bare port made a loopback
 * address), admin_token_file (read now, so that a reload picks up a new
 * secret and a missing file is an error at its line).
 */

int
Conf_BuildAdmin(struct conf_ctx *ctx, cfg_t *cfg, struct conf *c)
{
	const char *file, *why, *warn = NULL;

	c->admin_listen = conf_admin_spec(cfg_getstr(cfg, "admin_listen"));
	if (c->admin_listen != NULL)
		AZ(Conf_ParseAddr(c->admin_listen, 1, &c->admin_addr,
		    &c->admin_addrlen));
	file = cfg_getstr(cfg, "admin_token_file");
	if (file == NULL)
		return (0);
	c->admin_token_file = Conf_Strdup(file);
	if ((why = conf_token(file, c, &warn)) != NULL) {
		Conf_Err(ctx, Conf_Line(ctx, cfg, "admin_token_file", 0),
		    "admin_token_file %s: %s", file, why);
		return (-1);
	}
	if (warn != NULL)
		c->admin_token_warn = warn;
	return (0);
}
