/*-
 * Copyright (c) 2026 The frontd authors
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * fuzz_conf.c -- the configuration loader on arbitrary text: it must
 * load it or say FILE:LINE: why not, never crash, leak or hang.
 */

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "vas.h"
#include "conf.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *in, size_t len)
{
	struct conf *conf;
	char err[512], *text;

	if (len > 65536)
		return (0);
	text = malloc(len + 1);
	AN(text);
	memcpy(text, in, len);
	text[len] = '\0';
	err[0] = '\0';
	conf = CONF_LoadString("fuzz.conf", text, err, sizeof err);
	if (conf != NULL)
		CONF_Rel(&conf);
	else
		assert(err[0] != '\0');
	free(text);
	return (0);
}
