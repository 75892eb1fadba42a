/*-
 * Copyright (c) 2026 The frontd authors
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * fuzz_req_head.c -- request heads through HTC, whole and split
 * (fuzz_head.h).
 */

#define FH_KIND		H1_REQUEST
#include "fuzz_head.h"
