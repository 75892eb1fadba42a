/*-
 * Copyright (c) 2026 The frontd authors
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * replay.c -- runs a fuzz harness over its committed corpus without
 * libFuzzer, so that make check replays every input in seconds with
 * the ordinary compiler (and the sanitizers of the build).  Prints
 * "ok fuzz_NAME (N inputs)" for tests/run.sh.
 */

#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);
int main(int, char **);

/* Read a whole file; its length in *lenp, or NULL. */
static uint8_t *
slurp(const char *path, size_t *lenp)
{
	uint8_t *p = NULL, *np;
	size_t len = 0, cap = 0, n;
	FILE *f;

	if ((f = fopen(path, "rb")) == NULL)
		return (NULL);
	for (;;) {
		if (len == cap) {
			cap = cap ? cap * 2 : 4096;
			if ((np = realloc(p, cap)) == NULL)
				break;
			p = np;
		}
		n = fread(p + len, 1, cap - len, f);
		if (n == 0)
			break;
		len += n;
	}
	(void)fclose(f);
	*lenp = len;
	return (p);
}

int
main(int argc, char **argv)
{
	const char *dir = argc > 1 ? argv[1] : FUZZ_CORPUS;
	char path[4096];
	struct dirent *de;
	uint8_t *p;
	size_t len;
	unsigned n = 0;
	DIR *d;

	if ((d = opendir(dir)) == NULL) {
		printf("not ok fuzz_%s: no corpus %s\n", FUZZ_NAME, dir);
		return (1);
	}
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		(void)snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
		if ((p = slurp(path, &len)) == NULL)
			continue;
		(void)LLVMFuzzerTestOneInput(p, len);
		free(p);
		n++;
	}
	(void)closedir(d);
	/* on a line of its own: libconfuse's lexer echoes stray bytes */
	printf("\nok fuzz_%s (%u inputs)\n", FUZZ_NAME, n);
	return (0);
}
