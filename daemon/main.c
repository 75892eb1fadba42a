/*-
 * Copyright (c) 2026 The frontd authors
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * main.c -- the command line: frontd [-dFhtV] [-f file].
 *
 *	-F	stay in the foreground and log to stderr
 *	-f FILE	read FILE instead of the default configuration
 *	-t	check the configuration, print "configuration FILE OK", exit
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

#include <stdio.h>
#include <stdlib.h>
#include <sysexits.h>
#include <unistd.h>

#include "conf.h"
#include "daemon.h"
#include "log.h"
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
 * Check the configuration and say so (-t).
 */

static int
main_check(struct conf *conf, const char *file)
{

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
	log_init(1, ma.debug);
	file = ma.file != NULL ? ma.file : main_conffile();
	conf = CONF_Load(file, err, sizeof err);
	if (conf == NULL) {
		(void)fprintf(stderr, "%s\n", err);
		return (EX_CONFIG);
	}
	if (ma.test)
		return (main_check(conf, file));

	/* The daemon leaves the working directory; reloads need a full path. */
	if (file != NULL && (abs = realpath(file, NULL)) != NULL)
		file = abs;
	log_init(ma.foreground, ma.debug);
	rv = DAEMON_Main(conf, file, ma.foreground);
	free(abs);
	return (rv);
}
