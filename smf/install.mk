# Copyright (c) 2026 The frontd authors
# SPDX-License-Identifier: BSD-2-Clause
#
# smf/install.mk -- "make install", included by the main Makefile.
#
#   make && make install [PREFIX=/usr/local] [DESTDIR=] [INIT=smf|systemd|none]
#
# Installs (DESTDIR is prepended to every path; nothing needs root unless the
# target directories do, and nothing is chowned):
#
#   $(B)/frontd               $(SBINDIR)/frontd                     0755
#   conf/frontd.conf          $(SYSCONFDIR)/frontd/frontd.conf.sample 0644
#                             $(SYSCONFDIR)/frontd/frontd.conf, only if
#                             there is none: an existing file is never
#                             overwritten; compare it with the .sample
#   conf/frontd.conf.example  $(DOCDIR)/frontd.conf.example
#   daemon/frontd.8           $(MANDIR)/man8/frontd.8
#   conf/frontd.conf.5        $(MANDIR)/man5/frontd.conf.5
#   INIT=smf (SunOS):
#     smf/frontd.xml          /lib/svc/manifest/network/http/frontd.xml 0444
#     smf/frontd              /lib/svc/method/frontd                0555
#   INIT=systemd (Linux):
#     smf/frontd.service      $(SYSTEMDUNITDIR)/frontd.service      0644
#
# SYSCONFDIR is $(PREFIX)/etc, or /etc when PREFIX is /usr; SYSTEMDUNITDIR
# is $(PREFIX)/lib/systemd/system, or /lib/systemd/system when PREFIX is
# /usr.  The manifest, the method script and the unit name the binary as
# /usr/sbin/frontd and the file as /etc/frontd/frontd.conf; they are
# rewritten for the actual SBINDIR, SYSCONFDIR and MANDIR on the way.
#
# The binary is not rebuilt here: run "make" first (as yourself), then
# "make install" (as root if the target needs it).  Only POSIX mkdir, cp,
# chmod, mv and sed are used: /usr/sbin/install on illumos is not GNU's.

PREFIX		?= /usr/local
DESTDIR		?=
B		?= build
SBINDIR		?= $(PREFIX)/sbin
MANDIR		?= $(PREFIX)/share/man
DOCDIR		?= $(PREFIX)/share/doc/frontd
ifeq ($(PREFIX),/usr)
SYSCONFDIR	?= /etc
SYSTEMDUNITDIR	?= /lib/systemd/system
else
SYSCONFDIR	?= $(PREFIX)/etc
SYSTEMDUNITDIR	?= $(PREFIX)/lib/systemd/system
endif
SMF_MANIFESTDIR	?= /lib/svc/manifest/network/http
SMF_METHODDIR	?= /lib/svc/method

# Which service framework to install for; override to package for another
# system (the tests install both ways on Linux).
ifeq ($(shell uname -s),SunOS)
INIT		?= smf
else ifeq ($(shell uname -s),Linux)
INIT		?= systemd
else
INIT		?= none
endif

# Point the service files at where this install puts things.
INSTALL_SED	= sed -e 's|/usr/sbin/frontd|$(SBINDIR)/frontd|g' \
		      -e 's|/etc/frontd/|$(SYSCONFDIR)/frontd/|g' \
		      -e 's|manpath="/usr/share/man"|manpath="$(MANDIR)"|g'

# $(call inst,MODE,SRC,DST): copy beside DST, then rename, so a running
# binary is replaced rather than written over.
inst = mkdir -p '$(dir $(3))' && cp '$(2)' '$(3).new' && \
	chmod $(1) '$(3).new' && mv -f '$(3).new' '$(3)'
# $(call inst_sed,MODE,SRC,DST): the same through INSTALL_SED.
inst_sed = mkdir -p '$(dir $(3))' && $(INSTALL_SED) '$(2)' >'$(3).new' && \
	chmod $(1) '$(3).new' && mv -f '$(3).new' '$(3)'

CONF_DST	= $(DESTDIR)$(SYSCONFDIR)/frontd/frontd.conf

.PHONY: install
install:
	@test -x '$(B)/frontd' || \
	    { echo "install: $(B)/frontd is missing; run make first" >&2; \
	      exit 1; }
	@case '$(INIT)' in smf|systemd|none) ;; \
	    *) echo "install: INIT must be smf, systemd or none" >&2; \
	       exit 1 ;; esac
	$(call inst,0755,$(B)/frontd,$(DESTDIR)$(SBINDIR)/frontd)
	$(call inst,0644,conf/frontd.conf,$(CONF_DST).sample)
	@if [ -e '$(CONF_DST)' ]; then \
	    echo "install: keeping $(CONF_DST); the new default is" \
		"$(CONF_DST).sample"; \
	else \
	    echo "install: $(CONF_DST)"; \
	    $(call inst,0644,conf/frontd.conf,$(CONF_DST)); \
	fi
	$(call inst,0644,conf/frontd.conf.example,$(DESTDIR)$(DOCDIR)/frontd.conf.example)
	$(call inst,0644,daemon/frontd.8,$(DESTDIR)$(MANDIR)/man8/frontd.8)
	$(call inst,0644,conf/frontd.conf.5,$(DESTDIR)$(MANDIR)/man5/frontd.conf.5)
ifeq ($(INIT),smf)
	$(call inst_sed,0444,smf/frontd.xml,$(DESTDIR)$(SMF_MANIFESTDIR)/frontd.xml)
	$(call inst_sed,0555,smf/frontd,$(DESTDIR)$(SMF_METHODDIR)/frontd)
	@echo "install: then, as root: create the user frontd, run" \
	    "'svcadm restart manifest-import' and 'svcadm enable frontd'"
endif
ifeq ($(INIT),systemd)
	$(call inst_sed,0644,smf/frontd.service,$(DESTDIR)$(SYSTEMDUNITDIR)/frontd.service)
	@echo "install: then, as root: 'systemctl daemon-reload' and" \
	    "'systemctl enable --now frontd'"
endif
