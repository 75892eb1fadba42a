/*-
 * Copyright (c) 2026 The frontd authors
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * port.h -- the event-port API, on every system frontd runs on.
 *
 * frontd is written against the illumos/Solaris event ports API
 * (port_create(3C), port_associate(3C), port_getn(3C), port_send(3C),
 * port_alert(3C)).  On illumos and Solaris this header is the native
 * <port.h>.  On Linux the same API, with the same types, constants and
 * signatures, is provided by port_epoll.c on top of epoll(7) and
 * eventfd(2); shared/event-ports.md is its specification, and
 * tests/unit/t_port.c holds it to that, case by case.
 *
 * The one addition on both systems is port_close(): on illumos it is
 * close(2), on Linux it frees the layer's state as well.  Closing a port
 * while another thread sleeps in port_getn() is forbidden on both.
 *
 * Nothing above this header knows which implementation it runs on.
 */

#ifndef FRONTD_PORT_H
#define FRONTD_PORT_H

#if defined(__sun) || defined(FRONTD_PORT_NATIVE_CHECK)

#ifdef FRONTD_PORT_NATIVE_CHECK
#include "illumos_port.h"	/* the illumos declarations, for the build check */
#else
#include <port.h>
#endif
#include <unistd.h>
#define port_close(p)	close(p)

#else /* Linux: port_epoll.c */

#include <poll.h>
#include <stdint.h>
#include <time.h>

typedef unsigned int uint_t;
typedef unsigned short ushort_t;

typedef struct port_event {
	int		portev_events;	/* FD: poll bits; USER/ALERT: caller's */
	ushort_t	portev_source;	/* PORT_SOURCE_* */
	ushort_t	portev_pad;	/* reserved, always 0 */
	uintptr_t	portev_object;	/* FD: the fd; USER, ALERT: 0 */
	void		*portev_user;	/* cookie given to associate/send/alert */
} port_event_t;

#define PORT_SOURCE_AIO		1
#define PORT_SOURCE_TIMER	2
#define PORT_SOURCE_USER	3
#define PORT_SOURCE_FD		4
#define PORT_SOURCE_ALERT	5
#define PORT_SOURCE_MQ		6
#define PORT_SOURCE_FILE	7

#define PORT_ALERT_SET		0x01
#define PORT_ALERT_UPDATE	0x02

int port_create(void);
int port_associate(int, int, uintptr_t, int, void *);
int port_dissociate(int, int, uintptr_t);
int port_send(int, int, void *);
int port_get(int, port_event_t *, struct timespec *);
int port_getn(int, port_event_t [], uint_t, uint_t *, struct timespec *);
int port_alert(int, int, int, void *);
int port_close(int);

/*
 * Linux-only knobs for the conformance tests (t_port.c); frontd itself
 * never calls them.
 */
void port_shim_set_userq_limit(int, unsigned);	/* C31 */
void port_shim_set_identity_check(int);		/* C36, default off */

#endif

#endif /* FRONTD_PORT_H */
