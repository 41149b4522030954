/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
#ifndef _LINUX_SOCKET_H
#define _LINUX_SOCKET_H

/*
 * Desired design of maximum size and alignment (see RFC2553)
 */
#define _K_SS_MAXSIZE	128	/* Implementation specific max size */

typedef unsigned short __kernel_sa_family_t;

/*
 * The definition uses anonymous union and struct in order to control the
 * default alignment.
 */
struct __kernel_sockaddr_storage {
	union {
		struct {
			__kernel_sa_family_t	ss_family; /* address family */
			/* Following field(s) are implementation specific */
			char __data[_K_SS_MAXSIZE - sizeof(unsigned short)];
				/* space to achieve desired size, */
				/* _SS_MAXSIZE value minus size of ss_family */
		};
		void *__align; /* implementation specific desired alignment */
	};
};

#define SOCK_SNDBUF_LOCK	1
#define SOCK_RCVBUF_LOCK	2

#define SOCK_BUF_LOCK_MASK (SOCK_SNDBUF_LOCK | SOCK_RCVBUF_LOCK)

#define SOCK_TXREHASH_DEFAULT	255
#define SOCK_TXREHASH_DISABLED	0
#define SOCK_TXREHASH_ENABLED	1

/*
 * twill: the address families a BPF program passes to helpers (bpf_fib_lookup's family). The kernel defines them in
 * include/linux/socket.h, which is not UAPI; libc re-exports the same values from <sys/socket.h>, which does not
 * exist for the BPF target (include/README.md). VendoredHeadersTest compares them with libc's.
 */
#ifndef AF_INET
#define AF_INET		2	/* Internet IP Protocol	*/
#endif
#ifndef AF_INET6
#define AF_INET6	10	/* IP version 6		*/
#endif

#endif /* _LINUX_SOCKET_H */
