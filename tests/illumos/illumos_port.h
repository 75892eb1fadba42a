/*-
 * Copyright (c) 2026 The frontd authors
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * illumos_port.h -- the illumos event-port declarations, for a build
 * check on Linux.
 *
 * "make portcheck" compiles every file an illumos build compiles (the
 * waiter, the event-port tests and every user of the waiter among them)
 * with FRONTD_PORT_NATIVE_CHECK and __sun, and lib/port.h then includes
 * this file instead of its Linux declarations.  It declares what the illumos
 * <port.h> gives a program and nothing more: the types and constants of
 * usr/src/uts/common/sys/port.h, the prototypes of usr/src/head/port.h,
 * and the few <sys/types.h> names they need (uint_t, ushort_t,
 * uintptr_t, struct timespec).  So code that leans on something only the
 * Linux layer provides -- <poll.h> pulled in by lib/port.h, uint_t from
 * port.h rather than <sys/types.h>, the port_shim_* test knobs -- fails
 * here instead of on the first illumos build.
 *
 * Rejected: naming it port.h (it would shadow lib/port.h for
 * #include <port.h>, and lib/port.h would have to include itself), and
 * copying the illumos headers (CDDL; the declarations are what matters).
 * The PORT_SOURCE_FILE object type and its FILE_* events are declared
 * for completeness; frontd uses neither.  This file is never compiled
 * into anything.
 */

#ifndef FRONTD_ILLUMOS_PORT_H
#define FRONTD_ILLUMOS_PORT_H

/* What illumos <sys/types.h> provides to <port.h>. */
#include <sys/types.h>	/* glibc: struct timespec, via <sys/select.h> */
#include <stdint.h>	/* illumos: <sys/int_types.h> */

typedef unsigned int	uint_t;
typedef unsigned short	ushort_t;
typedef struct timespec	timestruc_t;

/* usr/src/uts/common/sys/port.h */
#define PORT_SOURCE_AIO		1
#define PORT_SOURCE_TIMER	2
#define PORT_SOURCE_USER	3
#define PORT_SOURCE_FD		4
#define PORT_SOURCE_ALERT	5
#define PORT_SOURCE_MQ		6
#define PORT_SOURCE_FILE	7

typedef struct port_event {
	int		portev_events;	/* source specific */
	ushort_t	portev_source;	/* PORT_SOURCE_* */
	ushort_t	portev_pad;	/* port internal use */
	uintptr_t	portev_object;	/* source specific object */
	void		*portev_user;	/* user cookie */
} port_event_t;

typedef struct port_notify {
	int		portnfy_port;	/* bind request(s) to port */
	void		*portnfy_user;	/* user defined */
} port_notify_t;

typedef struct file_obj {
	timestruc_t	fo_atime;
	timestruc_t	fo_mtime;
	timestruc_t	fo_ctime;
	uintptr_t	fo_pad[3];
	char		*fo_name;
} file_obj_t;

#define PORT_ALERT_SET		0x01
#define PORT_ALERT_UPDATE	0x02
#define PORT_ALERT_INVALID	(PORT_ALERT_SET | PORT_ALERT_UPDATE)

#define FILE_ACCESS		0x00000001
#define FILE_MODIFIED		0x00000002
#define FILE_ATTRIB		0x00000004
#define FILE_TRUNC		0x00100000
#define FILE_NOFOLLOW		0x10000000
#define FILE_DELETE		0x00000010
#define FILE_RENAME_TO		0x00000020
#define FILE_RENAME_FROM	0x00000040
#define UNMOUNTED		0x20000000
#define MOUNTEDOVER		0x40000000
#define FILE_EXCEPTION		(UNMOUNTED | FILE_DELETE | FILE_RENAME_TO | \
				 FILE_RENAME_FROM | MOUNTEDOVER)

/* usr/src/head/port.h */
int	port_create(void);
int	port_associate(int, int, uintptr_t, int, void *);
int	port_dissociate(int, int, uintptr_t);
int	port_send(int, int, void *);
int	port_sendn(int [], int [], uint_t, int, void *);
int	port_get(int, port_event_t *, struct timespec *);
int	port_getn(int, port_event_t [], uint_t, uint_t *, struct timespec *);
int	port_alert(int, int, int, void *);

#endif /* FRONTD_ILLUMOS_PORT_H */
