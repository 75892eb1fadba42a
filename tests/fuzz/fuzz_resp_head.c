/*-
 * Copyright (c) 2026 The frontd authors
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * fuzz_resp_head.c -- response heads through HTC, whole and split
 * (fuzz_head.h).
 */

#define FH_KIND		H1_RESPONSE
#include "fuzz_head.h"
