// The client and server of the Services benchmark (bench/scripts/services.sh): TCP request/response through a
// ClusterIP, either with a new connection per transaction (connect, send a request, read the reply, close: netperf's
// TCP_CRR) or over one connection (TCP_RR). One process, one thread each side, no fork per connection, so that the
// datapath and the Service translation are what limits the rate, not the programs.
//
//   svc_rr server PORT [PORT...]                 echo server on every PORT (one epoll loop)
//   svc_rr crr ADDR PORT SECONDS [SIZE]          connect + SIZE-byte request + SIZE-byte reply + close, in a loop
//   svc_rr rr  ADDR PORT SECONDS [SIZE]          the same request/response over one connection
//
// The client prints "metric value" lines: crr_tps / rr_tps (transactions per second), crr_p50_us / crr_p99_us (one
// transaction: connect to close) or rr_rtt_p50_us / rr_rtt_p99_us (one round trip), and crr_slow (transactions that
// took over 200 ms: a SYN retransmitted after a drop). It exits non-zero on any failed connect or short reply.
//
// Build: gcc -O2 -Wall -o svc_rr svc_rr.c
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_SIZE 4096
#define SLOW_NS  200000000ULL

static void die(const char *what)
{
	fprintf(stderr, "svc_rr: %s: %s\n", what, strerror(errno));
	exit(1);
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static void nodelay(int fd)
{
	int one = 1;

	if (setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)) < 0)
		die("setsockopt TCP_NODELAY");
}

/* Writes all of buf to a non-blocking socket; false when the peer is gone. */
static int write_all_nb(int fd, const char *buf, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, buf, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0 && errno == EAGAIN) {
			usleep(50); /* a full send buffer with small echoes: never in practice */
			continue;
		}
		if (w <= 0)
			return 0;
		buf += w;
		n -= (size_t)w;
	}
	return 1;
}

static int server(int argc, char **argv)
{
	int ep = epoll_create1(0), one = 1;
	struct epoll_event ev, events[64];
	char buf[MAX_SIZE];

	if (ep < 0)
		die("epoll_create1");
	for (int i = 0; i < argc; i++) {
		struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)atoi(argv[i])) };
		int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);

		if (fd < 0)
			die("socket");
		if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0)
			die("setsockopt SO_REUSEADDR");
		if (bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0)
			die("bind");
		if (listen(fd, 4096) < 0)
			die("listen");
		/* Listening sockets carry their fd with the high bit set, connections without. */
		ev.events = EPOLLIN;
		ev.data.u64 = (1ULL << 32) | (uint32_t)fd;
		if (epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev) < 0)
			die("epoll_ctl listen");
	}
	for (;;) {
		int n = epoll_wait(ep, events, 64, -1);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			die("epoll_wait");
		for (int i = 0; i < n; i++) {
			int fd = (int)(uint32_t)events[i].data.u64;

			if (events[i].data.u64 >> 32) {
				int c;

				while ((c = accept4(fd, NULL, NULL, SOCK_NONBLOCK)) >= 0) {
					nodelay(c);
					ev.events = EPOLLIN;
					ev.data.u64 = (uint32_t)c;
					if (epoll_ctl(ep, EPOLL_CTL_ADD, c, &ev) < 0)
						die("epoll_ctl conn");
				}
				if (errno != EAGAIN && errno != ECONNABORTED && errno != EINTR)
					die("accept4");
				continue;
			}
			ssize_t r = read(fd, buf, sizeof(buf));

			if (r < 0 && (errno == EAGAIN || errno == EINTR))
				continue;
			if (r <= 0 || !write_all_nb(fd, buf, (size_t)r))
				close(fd); /* EOF or reset: closing also leaves the epoll set */
		}
	}
	return 0;
}

/* Blocking: reads exactly n bytes; false on EOF or error. */
static int read_full(int fd, char *buf, size_t n)
{
	while (n > 0) {
		ssize_t r = read(fd, buf, n);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return 0;
		buf += r;
		n -= (size_t)r;
	}
	return 1;
}

static int write_full(int fd, const char *buf, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, buf, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return 0;
		buf += w;
		n -= (size_t)w;
	}
	return 1;
}

/* Transaction times in ns, grown as needed. */
struct samples {
	uint32_t *v;
	size_t n, cap;
};

static void add(struct samples *s, uint64_t ns)
{
	if (s->n == s->cap) {
		s->cap = s->cap ? s->cap * 2 : 1 << 16;
		s->v = realloc(s->v, s->cap * sizeof(*s->v));
		if (!s->v)
			die("realloc");
	}
	s->v[s->n++] = ns > UINT32_MAX ? UINT32_MAX : (uint32_t)ns;
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

static double pct_us(struct samples *s, double p)
{
	size_t i = (size_t)(p * (double)(s->n - 1) + 0.5);

	return s->v[i] / 1e3;
}

static int client(int crr, int argc, char **argv)
{
	struct sockaddr_in dst = { .sin_family = AF_INET };
	char req[MAX_SIZE], resp[MAX_SIZE];
	struct samples s = {0};
	uint64_t start, deadline, t0, t1, slow = 0;
	size_t size = argc > 3 ? (size_t)atoi(argv[3]) : 64;
	int fd = -1;

	if (argc < 3) {
		fprintf(stderr, "usage: svc_rr crr|rr ADDR PORT SECONDS [SIZE]\n");
		return 2;
	}
	if (inet_pton(AF_INET, argv[0], &dst.sin_addr) != 1) {
		fprintf(stderr, "svc_rr: bad address %s\n", argv[0]);
		return 2;
	}
	dst.sin_port = htons((uint16_t)atoi(argv[1]));
	if (size < 1 || size > MAX_SIZE) {
		fprintf(stderr, "svc_rr: SIZE must be 1..%d\n", MAX_SIZE);
		return 2;
	}
	memset(req, 'q', size);
	start = now_ns();
	deadline = start + (uint64_t)(atof(argv[2]) * 1e9);
	if (!crr) {
		fd = socket(AF_INET, SOCK_STREAM, 0);
		if (fd < 0)
			die("socket");
		nodelay(fd);
		if (connect(fd, (struct sockaddr *)&dst, sizeof(dst)) < 0)
			die("connect");
	}
	for (t0 = now_ns(); t0 < deadline; t0 = t1) {
		if (crr) {
			fd = socket(AF_INET, SOCK_STREAM, 0);
			if (fd < 0)
				die("socket");
			nodelay(fd);
			if (connect(fd, (struct sockaddr *)&dst, sizeof(dst)) < 0)
				die("connect");
		}
		if (!write_full(fd, req, size))
			die("write");
		if (!read_full(fd, resp, size)) {
			fprintf(stderr, "svc_rr: short reply after %zu transactions\n", s.n);
			return 1;
		}
		if (crr)
			close(fd);
		t1 = now_ns();
		add(&s, t1 - t0);
		if (t1 - t0 > SLOW_NS)
			slow++;
	}
	if (!crr)
		close(fd);
	if (s.n == 0) {
		fprintf(stderr, "svc_rr: no transaction completed\n");
		return 1;
	}
	qsort(s.v, s.n, sizeof(*s.v), cmp_u32);
	if (crr) {
		printf("crr_tps %.1f\n", (double)s.n / ((double)(t0 - start) / 1e9));
		printf("crr_p50_us %.1f\ncrr_p99_us %.1f\ncrr_slow %llu\n", pct_us(&s, 0.5), pct_us(&s, 0.99),
		       (unsigned long long)slow);
	} else {
		printf("rr_tps %.1f\n", (double)s.n / ((double)(t0 - start) / 1e9));
		printf("rr_rtt_p50_us %.1f\nrr_rtt_p99_us %.1f\n", pct_us(&s, 0.5), pct_us(&s, 0.99));
	}
	free(s.v);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc >= 3 && strcmp(argv[1], "server") == 0)
		return server(argc - 2, argv + 2);
	if (argc >= 2 && strcmp(argv[1], "crr") == 0)
		return client(1, argc - 2, argv + 2);
	if (argc >= 2 && strcmp(argv[1], "rr") == 0)
		return client(0, argc - 2, argv + 2);
	fprintf(stderr, "usage: svc_rr server PORT... | crr ADDR PORT SECONDS [SIZE] | rr ADDR PORT SECONDS [SIZE]\n");
	return 2;
}
