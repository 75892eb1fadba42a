/*-
 * Copyright (c) 2026 The frontd authors
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * tbl/dir_policy.h -- the policies a director can pick a backend with:
 * the name in the configuration file and what it does.  One file
 * daemon/dir_NAME.c implements each (struct dir_methods DIR_NAME).
 *
 * DIR_POLICY(name, description)
 */

DIR_POLICY(random,	"two weighted random picks, the one with fewer requests in flight")
DIR_POLICY(round_robin,	"smooth weighted round robin")
DIR_POLICY(least_conn,	"fewest requests in flight for its weight")
DIR_POLICY(hash,	"consistent hash of hash_key")
