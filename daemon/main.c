/*-
 * Copyright (c) 2026 The frontd authors
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * main.c -- the command line: frontd [-dFhtV] [-f file].
 *
 *	-F	stay in the foreground and log to stderr
 *	-f FILE	read FILE instead of the default configuration
 *	-t	check the configuration, print "configuration FILE OK", exit;
 *		with -d, print the configuration in use first
 *	-V	print the version and exit
 *	-h	print the usage and exit
 *	-d	log debugging messages too
 *
 * Without -f the configuration is CONF_DEFAULT_PATH if that file exists,
 * otherwise the one compiled into the binary (conf/frontd.conf); the
 * choice is said on stderr.  Anything else, once the configuration is
 * loaded, belongs to DAEMON_Main(): daemonizing, listening, signals.
 *
 * Exit codes follow <sysexits.h>: a bad command line is EX_USAGE, a bad
 * configuration EX_CONFIG with one line "FILE:LINE: reason" on stderr,
 * the way relayd -n and nginx -t report, so scripts and the SMF refresh
 * method can show it as is.
 */

#include <arpa/inet.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sysexits.h>
#include <unistd.h>

#include "vas.h"
#include "conf.h"
#include "daemon.h"
#include "log.h"
#include "upgrade.h"
#include "version.h"

/* What the command line asked for. */
struct main_args {
	int		debug;
	int		foreground;
	int		test;
	const char	*file;
};

/*--------------------------------------------------------------------
 * Print the usage line to fp.
 */

static void
usage(FILE *fp)
{

	(void)fprintf(fp, "usage: frontd [-dFhtV] [-f file]\n");
}

/*--------------------------------------------------------------------
 * The file to read when -f is not given: the default path if it exists,
 * else NULL for the configuration built into the binary.
 */

static const char *
main_conffile(void)
{

	if (access(CONF_DEFAULT_PATH, F_OK) == 0)
		return (CONF_DEFAULT_PATH);
	(void)fprintf(stderr, "frontd: %s not found, using the built-in "
	    "configuration\n", CONF_DEFAULT_PATH);
	return (NULL);
}

/*--------------------------------------------------------------------
 * Print s in double quotes, with quotes and backslashes escaped.
 */

static void
main_quote(const char *s)
{

	(void)putchar('"');
	for (; *s != '\0'; s++) {
		if (*s == '"' || *s == '\\')
			(void)putchar('\\');
		(void)putchar(*s);
	}
	(void)putchar('"');
}

/*--------------------------------------------------------------------
 * Print key = "s", or say that the key is not set.
 */

static void
main_pstr(const char *ind, const char *key, const char *s)
{

	if (s == NULL) {
		(void)printf("%s# %s is not set\n", ind, key);
		return;
	}
	(void)printf("%s%s = ", ind, key);
	main_quote(s);
	(void)putchar('\n');
}

/*--------------------------------------------------------------------
 * Print key = a duration, in whole seconds when it is.
 */

static void
main_pdur(const char *ind, const char *key, tim_dur d)
{
	long long ms = (long long)(d * 1e3 + 0.5);

	if (ms % 1000 == 0)
		(void)printf("%s%s = %llds\n", ind, key, ms / 1000);
	else
		(void)printf("%s%s = %lldms\n", ind, key, ms);
}

/*--------------------------------------------------------------------
 * Print key = a size, with the largest suffix that divides it.
 */

static void
main_psize(const char *key, uint64_t v)
{
	const char *sfx = "kmg";
	int i = -1;

	while (v != 0 && v % 1024 == 0 && i < 2) {
		v /= 1024;
		i++;
	}
	if (i < 0)
		(void)printf("%s = %ju\n", key, (uintmax_t)v);
	else
		(void)printf("%s = %ju%c\n", key, (uintmax_t)v, sfx[i]);
}

/*--------------------------------------------------------------------
 * Print one backend section.
 */

static void
main_pbackend(const struct conf_backend *be)
{

	CHECK_OBJ_NOTNULL(be, CONF_BACKEND_MAGIC);
	(void)printf("backend ");
	main_quote(be->name);
	(void)printf(" {\n");
	main_pstr("\t", "address", be->address);
	main_pdur("\t", "connect_timeout", be->connect_timeout);
	main_pdur("\t", "first_byte_timeout", be->first_byte_timeout);
	main_pdur("\t", "between_bytes_timeout", be->between_bytes_timeout);
	main_pdur("\t", "idle_timeout", be->idle_timeout);
	if (be->send_proxy != 0)
		(void)printf("\tsend_proxy = \"v%u\"\n", be->send_proxy);
	(void)printf("\tmax_idle = %u\n\tweight = %u\n"
	    "\tmax_connections = %u\n\tbackup = %s\n}\n", be->max_idle,
	    be->weight, be->max_conn, be->backup ? "true" : "false");
}

/*--------------------------------------------------------------------
 * Print key = {"a", "b"}.
 */

static void
main_plist(const char *key, char * const *v, unsigned n)
{
	unsigned u;

	(void)printf("\t%s = {", key);
	for (u = 0; u < n; u++) {
		(void)printf(u == 0 ? "" : ", ");
		main_quote(v[u]);
	}
	(void)printf("}\n");
}

/*--------------------------------------------------------------------
 * Print a director section (not the ones made for a route's "to").
 */

static void
main_pdirector(const struct conf *c, const struct conf_director *d)
{
	static const char * const hk[] = { "client_ip", "host", "path",
	    "header:", "cookie:" };
	unsigned u;

	if (d->line == 0)
		return;
	(void)printf("director ");
	main_quote(d->name);
	(void)printf(" {\n\tbackends = {");
	for (u = 0; u < d->nmember; u++) {
		(void)printf(u == 0 ? "" : ", ");
		main_quote(c->backend[d->member[u]].name);
	}
	(void)printf("}\n\tpolicy = \"%s\"\n", CONF_PolicyName(d->policy));
	if (d->policy == DIR_P_hash)
		(void)printf("\thash_key = \"%s%s\"\n", hk[d->hash_key],
		    d->hash_arg != NULL ? d->hash_arg : "");
	(void)printf("\tretries = %u\n", d->retries);
	main_pdur("\t", "queue_timeout", d->queue_timeout);
	(void)printf("\tmax_queue = %u\n}\n", d->max_queue);
}

/*--------------------------------------------------------------------
 * Print a route section (not the one made when there is none).
 */

static void
main_proute(const struct conf_route *r)
{

	if (r->name == NULL)
		return;
	(void)printf("route ");
	main_quote(r->name);
	(void)printf(" {\n");
	if (r->nhost > 0)
		main_plist("host", r->host, r->nhost);
	if (r->npath > 0)
		main_plist("path", r->path, r->npath);
	main_pstr("\t", "to", r->to_name);
	(void)printf("}\n");
}

/*--------------------------------------------------------------------
 * Print the keys for running behind a balancer, those not at their
 * default.
 */

static void
main_pedge(const struct conf *c)
{
	char a[INET6_ADDRSTRLEN];
	unsigned u;

	if (c->reuse_port)
		(void)printf("reuse_port = true\n");
	if (c->ntrusted == 0)
		return;
	(void)printf("trusted_proxies = {");
	for (u = 0; u < c->ntrusted; u++) {
		AN(inet_ntop(c->trusted[u].family, c->trusted[u].addr, a,
		    sizeof a));
		(void)printf("%s\"%s/%u\"", u == 0 ? "" : ", ", a,
		    c->trusted[u].bits);
	}
	(void)printf("}\n");
}

/*--------------------------------------------------------------------
 * Print the configuration as frontd will use it, every default filled in
 * and workers counted (-t -d); the output is a valid file.
 */

static void
main_dump(const struct conf *c)
{
	unsigned u;

	(void)printf("listen = {");
	for (u = 0; u < c->nlisten; u++) {
		(void)printf(u == 0 ? "" : ", ");
		main_quote(c->listen[u].spec);
	}
	(void)printf("}\n");
	main_pdur("", "timeout_idle", c->timeout_idle);
	main_pdur("", "timeout_req", c->timeout_req);
	main_pdur("", "timeout_client", c->timeout_client);
	main_pdur("", "timeout_linger", c->timeout_linger);
	main_pdur("", "drain_timeout", c->drain_timeout);
	main_pdur("", "shutdown_delay", c->shutdown_delay);
	main_pdur("", "resolve_interval", c->resolve_interval);
	(void)printf("workers = %u\nworker_sessions = %u\nqueue_len = %u\n"
	    "max_connections = %u\n", c->workers, c->worker_sessions,
	    c->queue_len, c->max_connections);
	main_psize("max_body_size", c->max_body_size);
	main_psize("request_buffer", c->request_buffer);
	main_pdur("", "timeout_body", c->timeout_body);
	main_psize("min_rate", c->min_rate);
	main_pdur("", "min_rate_grace", c->min_rate_grace);
	(void)printf("max_partial_per_client = %u\n",
	    c->max_partial_per_client);
	main_psize("head_max", c->limits.head_max);
	main_psize("field_max", c->limits.field_max);
	(void)printf("nfield_max = %u\n", c->limits.nfield_max);
	main_psize("target_max", c->limits.target_max);
	main_pstr("", "pidfile", c->pidfile);
	main_pstr("", "user", c->user);
	main_pstr("", "group", c->group);
	main_pstr("", "error_log", c->error_log != NULL ? c->error_log :
	    "syslog");
	main_pstr("", "access_log", c->access_log);
	if (c->access_log_json)
		main_pstr("", "access_log_format", "json");
	main_pstr("", "admin_listen", c->admin_listen);
	main_pstr("", "admin_token_file", c->admin_token_file);
	main_pedge(c);
	for (u = 0; u < c->nbackend; u++)
		main_pbackend(&c->backend[u]);
	for (u = 0; u < c->ndirector; u++)
		main_pdirector(c, &c->director[u]);
	for (u = 0; u < c->nroute; u++)
		main_proute(&c->route[u]);
}

/*--------------------------------------------------------------------
 * Check the configuration and say so (-t); with -d print it first.
 */

static int
main_check(struct conf *conf, const char *file, int dump)
{

	if (dump)
		main_dump(conf);
	(void)printf("frontd: configuration %s OK\n",
	    file != NULL ? file : "(built-in)");
	CONF_Rel(&conf);
	return (fflush(stdout) == 0 ? EX_OK : EX_IOERR);
}

/*--------------------------------------------------------------------
 * Parse the options into ma; -1 to go on, else the exit code.
 */

static int
main_args(int argc, char **argv, struct main_args *ma)
{
	int ch;

	while ((ch = getopt(argc, argv, ":dFf:htV")) != -1) {
		switch (ch) {
		case 'd':
			ma->debug = 1;
			break;
		case 'F':
			ma->foreground = 1;
			break;
		case 'f':
			ma->file = optarg;
			break;
		case 'h':
			usage(stdout);
			return (EX_OK);
		case 't':
			ma->test = 1;
			break;
		case 'V':
			(void)printf("frontd %s\n", FRONTD_VERSION);
			return (EX_OK);
		case ':':
			(void)fprintf(stderr, "frontd: option -%c needs an "
			    "argument\n", optopt);
			usage(stderr);
			return (EX_USAGE);
		default:
			(void)fprintf(stderr, "frontd: unknown option -%c\n",
			    optopt);
			usage(stderr);
			return (EX_USAGE);
		}
	}
	if (optind != argc) {
		usage(stderr);
		return (EX_USAGE);
	}
	return (-1);
}

/*--------------------------------------------------------------------
 * Parse the command line, load the configuration, run the daemon.
 */

int
main(int argc, char **argv)
{
	struct main_args ma = { 0, 0, 0, NULL };
	const char *file;
	char err[512], *abs = NULL;
	struct conf *conf;
	int rv;

	if ((rv = main_args(argc, argv, &ma)) >= 0)
		return (rv);
	UPG_Init(argv);
	log_init(1, ma.debug);
	file = ma.file != NULL ? ma.file : main_conffile();
	conf = CONF_Load(file, err, sizeof err);
	if (conf == NULL) {
		(void)fprintf(stderr, "%s\n", err);
		return (EX_CONFIG);
	}
	if (ma.test)
		return (main_check(conf, file, ma.debug));

	/* The daemon leaves the working directory; reloads need a full path. */
	if (file != NULL && (abs = realpath(file, NULL)) != NULL)
		file = abs;
	log_init(ma.foreground, ma.debug);
	rv = DAEMON_Main(conf, file, ma.foreground);
	free(abs);
	return (rv);
}
