/*-
 * Copyright (c) 2026 The frontd authors
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * version.h -- the release of frontd, as "frontd -V" prints it and as the
 * Via field and the logs may name it.  One define, so that a release
 * changes one line.
 */

#ifndef FRONTD_VERSION_H
#define FRONTD_VERSION_H

#define FRONTD_VERSION	"0.1.0"

#endif /* FRONTD_VERSION_H */
