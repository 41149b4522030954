// The C peer of io.twill.bench.maps.MapBench: the same loops over the same map (bench_hash in bench_hash.bpf.o)
// through libbpf directly. Prints one JSON line: {"impl":"c","rep":R,"update":ops/s,...}.
// Build: gcc -O2 -o map_bench map_bench.c -lbpf
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#define VALUE_SIZE 32

static double clock_s(clockid_t clock)
{
	struct timespec ts;
	clock_gettime(clock, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Wall and thread-CPU clocks, as the Java side measures both. */
struct timer {
	double wall, cpu;
};

static struct timer start(void)
{
	return (struct timer){clock_s(CLOCK_MONOTONIC), clock_s(CLOCK_THREAD_CPUTIME_ID)};
}

static void stop(struct timer t, double *wall, double *cpu)
{
	*wall += clock_s(CLOCK_MONOTONIC) - t.wall;
	*cpu += clock_s(CLOCK_THREAD_CPUTIME_ID) - t.cpu;
}

static void die(const char *what, int err)
{
	fprintf(stderr, "map_bench: %s: %s\n", what, strerror(err < 0 ? -err : err));
	exit(1);
}

static int silent(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	return level == LIBBPF_WARN ? vfprintf(stderr, fmt, ap) : 0;
}

int main(int argc, char **argv)
{
	if (argc < 5) {
		fprintf(stderr, "usage: map_bench OBJECT ENTRIES BATCH PASSES [REP]\n");
		return 2;
	}
	const char *path = argv[1];
	uint32_t n = (uint32_t)atoi(argv[2]), batch = (uint32_t)atoi(argv[3]);
	int passes = atoi(argv[4]), rep = argc > 5 ? atoi(argv[5]) : 0;
	libbpf_set_print(silent);

	struct bpf_object *obj = bpf_object__open_file(path, NULL);
	if (!obj)
		die("bpf_object__open_file", errno);
	int err = bpf_object__load(obj);
	if (err)
		die("bpf_object__load", err);
	int fd = bpf_map__fd(bpf_object__find_map_by_name(obj, "bench_hash"));
	if (fd < 0)
		die("bench_hash", fd);

	uint32_t key;
	uint8_t value[VALUE_SIZE] = {0};
	uint32_t *keys = calloc(batch, sizeof(uint32_t));
	uint8_t *values = calloc(batch, VALUE_SIZE);
	uint32_t in_batch = 0, out_batch = 0;
	volatile uint64_t sink = 0;
	struct timer t;
	double update = 0, lookup = 0, bupdate = 0, blookup = 0;
	double c_update = 0, c_lookup = 0, c_bupdate = 0, c_blookup = 0;
	LIBBPF_OPTS(bpf_map_batch_opts, opts);

	for (int p = 0; p < passes; p++) {
		t = start();
		for (key = 0; key < n; key++) {
			memcpy(value, &key, sizeof(key));
			if ((err = bpf_map_update_elem(fd, &key, value, BPF_ANY)))
				die("bpf_map_update_elem", err);
		}
		stop(t, &update, &c_update);

		t = start();
		for (key = 0; key < n; key++) {
			if ((err = bpf_map_lookup_elem(fd, &key, value)))
				die("bpf_map_lookup_elem", err);
			sink += value[0];
		}
		stop(t, &lookup, &c_lookup);

		t = start();
		for (uint32_t base = 0; base < n; base += batch) {
			uint32_t count = n - base < batch ? n - base : batch;
			for (uint32_t i = 0; i < count; i++) {
				keys[i] = base + i;
				memcpy(values + (size_t)i * VALUE_SIZE, &keys[i], sizeof(uint32_t));
			}
			if ((err = bpf_map_update_batch(fd, keys, values, &count, &opts)))
				die("bpf_map_update_batch", err);
		}
		stop(t, &bupdate, &c_bupdate);

		t = start();
		uint32_t total = 0;
		int first = 1;
		for (;;) {
			uint32_t count = batch;
			err = bpf_map_lookup_batch(fd, first ? NULL : &in_batch, &out_batch, keys, values, &count, &opts);
			if (err && err != -ENOENT)
				die("bpf_map_lookup_batch", err);
			total += count;
			sink += keys[0];
			if (err == -ENOENT)
				break;
			in_batch = out_batch;
			first = 0;
		}
		stop(t, &blookup, &c_blookup);
		if (total != n) {
			fprintf(stderr, "map_bench: batch lookup saw %u of %u elements\n", total, n);
			return 1;
		}
	}
	double ops = (double)n * passes;
	printf("{\"impl\":\"c\",\"rep\":%d,\"entries\":%u,\"batch\":%u,\"passes\":%d,"
	       "\"update\":%.0f,\"lookup\":%.0f,\"batch_update\":%.0f,\"batch_lookup\":%.0f,"
	       "\"cpu_update\":%.0f,\"cpu_lookup\":%.0f,\"cpu_batch_update\":%.0f,\"cpu_batch_lookup\":%.0f}\n",
	       rep, n, batch, passes, ops / update, ops / lookup, ops / bupdate, ops / blookup,
	       ops / c_update, ops / c_lookup, ops / c_bupdate, ops / c_blookup);
	free(keys);
	free(values);
	bpf_object__close(obj);
	return sink == 42 ? 3 : 0;
}
