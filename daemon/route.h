/*-
 * Copyright (c) 2026 The frontd authors
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * route.h -- where a request goes: the route of its Host and path.
 */

#ifndef FRONTD_ROUTE_H
#define FRONTD_ROUTE_H

struct conf;
struct conf_route;
struct h1_head;

/*
 * The route of a request head (base: its first byte), or NULL when none
 * matches (404, cause no_route).  Any thread; no allocation.
 */
const struct conf_route *ROUTE_Pick(const struct conf *,
    const struct h1_head *, const char *base);

#endif /* FRONTD_ROUTE_H */
