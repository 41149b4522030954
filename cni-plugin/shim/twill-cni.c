/*
 * twill-cni: the CNI plugin executable runtimes run. It answers VERSION itself and forwards every other
 * invocation (the CNI_* environment and stdin) to the Twill agent over its Unix socket, then prints the
 * agent's answer and exits with its code. All CNI logic lives in the agent (io.twill.cni.CniEngine).
 *
 * Agent unreachable: ADD, CHECK and GC fail with CNI error 11 (try again later), STATUS with 50 (plugin not
 * available); DEL is written to <socket dir>/delete-queue/ for the agent to replay, and succeeds.
 * The wire format and the queue are described in ../PROTOCOL.md.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#define DEFAULT_SOCKET "/var/run/twill/twill.sock"
#define QUEUE_DIR_NAME "delete-queue"
#define MAX_STDIN (1u << 20)      /* network config, prevResult included */
#define MAX_ENV (64u << 10)       /* the forwarded CNI_* variables */
#define MAX_STDOUT (1u << 20)     /* the agent's answer */
#define QUEUE_MAX 256             /* queued DELs before DEL fails with 11 */
#define CONNECT_TIMEOUT_S 5
#define REPLY_TIMEOUT_S 100       /* ADD, DEL, CHECK, GC: under kubelet's 2 min runtime request timeout */
#define STATUS_TIMEOUT_S 10
#define PROTO_VERSION 1
#define HEADER_LEN 16

static const char *const SUPPORTED[] = {"0.3.0", "0.3.1", "0.4.0", "1.0.0", "1.1.0"};
#define N_SUPPORTED (sizeof(SUPPORTED) / sizeof(SUPPORTED[0]))

extern char **environ;

struct buf {
    unsigned char *data;
    size_t len, cap;
};

static int buf_add(struct buf *b, const void *p, size_t n) {
    if (b->len + n > b->cap) {
        size_t cap = b->cap ? b->cap : 4096;
        while (cap < b->len + n) cap *= 2;
        unsigned char *d = realloc(b->data, cap);
        if (!d) return -1;
        b->data = d;
        b->cap = cap;
    }
    memcpy(b->data + b->len, p, n);
    b->len += n;
    return 0;
}

static void put_u16(unsigned char *p, uint16_t v) { p[0] = v >> 8; p[1] = v & 0xff; }
static void put_u32(unsigned char *p, uint32_t v) { p[0] = v >> 24; p[1] = v >> 16; p[2] = v >> 8; p[3] = v & 0xff; }
static uint16_t get_u16(const unsigned char *p) { return (uint16_t)(p[0] << 8 | p[1]); }
static uint32_t get_u32(const unsigned char *p) {
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* Writes everything or fails; stdout is written once, so a failure never leaves half an answer behind us. */
static int write_all(int fd, const void *p, size_t n) {
    const unsigned char *c = p;
    while (n > 0) {
        ssize_t w = write(fd, c, n);
        if (w < 0) {
            if (errno == EINTR) continue;
            return -1;
        }
        c += w;
        n -= (size_t)w;
    }
    return 0;
}

/* ---- a careful scanner for top-level string members of the JSON config (no library) ---- */

struct scan {
    const char *p, *end;
};

static void ws(struct scan *s) {
    while (s->p < s->end && (*s->p == ' ' || *s->p == '\t' || *s->p == '\n' || *s->p == '\r')) s->p++;
}

static int hexval(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/*
 * Reads a JSON string at s->p (which must be '"'). Decodes it into out (NUL-terminated) when out is given.
 * Returns its length, -1 on malformed JSON, -2 when it does not fit or holds what a path cannot (NUL,
 * surrogates): the scan goes on, but the value is unusable.
 */
static long scan_string(struct scan *s, char *out, size_t outsz) {
    size_t n = 0;
    int unusable = 0;
    if (s->p >= s->end || *s->p != '"') return -1;
    s->p++;
    while (s->p < s->end) {
        unsigned char c = (unsigned char)*s->p++;
        unsigned cp;
        if (c == '"') {
            if (out) out[n < outsz ? n : outsz - 1] = 0;
            return unusable ? -2 : (long)n;
        }
        if (c < 0x20) return -1;
        if (c != '\\') {
            cp = c;
        } else {
            if (s->p >= s->end) return -1;
            char e = *s->p++;
            switch (e) {
            case '"': cp = '"'; break;
            case '\\': cp = '\\'; break;
            case '/': cp = '/'; break;
            case 'b': cp = '\b'; break;
            case 'f': cp = '\f'; break;
            case 'n': cp = '\n'; break;
            case 'r': cp = '\r'; break;
            case 't': cp = '\t'; break;
            case 'u':
                if (s->end - s->p < 4) return -1;
                cp = 0;
                for (int i = 0; i < 4; i++) {
                    int h = hexval(s->p[i]);
                    if (h < 0) return -1;
                    cp = cp << 4 | (unsigned)h;
                }
                s->p += 4;
                if (cp == 0 || (cp >= 0xd800 && cp <= 0xdfff)) unusable = 1;
                break;
            default: return -1;
            }
            if (cp >= 0x80 && !unusable) {
                /* encode the code point as UTF-8 */
                unsigned char u[3];
                size_t k = 0;
                if (cp < 0x800) {
                    u[k++] = 0xc0 | cp >> 6;
                } else {
                    u[k++] = 0xe0 | cp >> 12;
                    u[k++] = 0x80 | ((cp >> 6) & 0x3f);
                }
                u[k++] = 0x80 | (cp & 0x3f);
                for (size_t i = 0; i < k; i++) {
                    if (out && n + 1 < outsz) out[n] = (char)u[i]; else if (out) unusable = 1;
                    n++;
                }
                continue;
            }
        }
        if (out && n + 1 < outsz) out[n] = (char)cp; else if (out) unusable = 1;
        n++;
    }
    return -1;
}

static int skip_value(struct scan *s, int depth);

static int skip_container(struct scan *s, int depth, char close, int object) {
    s->p++;
    ws(s);
    if (s->p < s->end && *s->p == close) { s->p++; return 0; }
    for (;;) {
        ws(s);
        if (object) {
            if (scan_string(s, NULL, 0) == -1) return -1;
            ws(s);
            if (s->p >= s->end || *s->p++ != ':') return -1;
        }
        if (skip_value(s, depth + 1) < 0) return -1;
        ws(s);
        if (s->p >= s->end) return -1;
        char c = *s->p++;
        if (c == close) return 0;
        if (c != ',') return -1;
    }
}

static int skip_value(struct scan *s, int depth) {
    if (depth > 64) return -1;
    ws(s);
    if (s->p >= s->end) return -1;
    char c = *s->p;
    if (c == '"') return scan_string(s, NULL, 0) == -1 ? -1 : 0;
    if (c == '{') return skip_container(s, depth, '}', 1);
    if (c == '[') return skip_container(s, depth, ']', 0);
    const char *start = s->p;
    while (s->p < s->end && strchr("+-.0123456789eEtruefalsn", *s->p)) s->p++;
    return s->p == start ? -1 : 0;
}

/*
 * Finds the value of a top-level key of the JSON object in [json, json+len); the last occurrence wins, as with
 * Go's and Jackson's decoders. Returns 1 with *value pointing at the value, 0 when absent, -1 when the document
 * is not a well-formed JSON object.
 */
static int top_level_value(const char *json, size_t len, const char *key, struct scan *value) {
    struct scan s = {json, json + len};
    char k[64];
    int found = 0;
    ws(&s);
    if (s.p >= s.end || *s.p != '{') return -1;
    s.p++;
    ws(&s);
    if (s.p < s.end && *s.p == '}') return 0;
    for (;;) {
        ws(&s);
        long kl = scan_string(&s, k, sizeof k);
        if (kl == -1) return -1;
        ws(&s);
        if (s.p >= s.end || *s.p++ != ':') return -1;
        ws(&s);
        if (kl >= 0 && strcmp(k, key) == 0) {
            *value = s;
            found = 1;
        }
        if (skip_value(&s, 1) < 0) return -1;
        ws(&s);
        if (s.p >= s.end) return -1;
        char c = *s.p++;
        if (c == '}') break;
        if (c != ',') return -1;
    }
    ws(&s);
    return s.p == s.end ? found : -1;
}

/* A top-level string member: 1 found (decoded into out), 0 absent or not a string, -2 unusable, -1 bad JSON. */
static int top_level_string(const char *json, size_t len, const char *key, char *out, size_t outsz) {
    struct scan v;
    int r = top_level_value(json, len, key, &v);
    if (r != 1) return r;
    if (*v.p != '"') return 0;
    long n = scan_string(&v, out, outsz);
    return n == -1 ? -1 : n == -2 ? -2 : 1;
}

/* A top-level integer member within [min, max]: 1 found, 0 absent, -2 not such an integer, -1 bad JSON. */
static int top_level_int(const char *json, size_t len, const char *key, long min, long max, long *out) {
    struct scan v;
    int r = top_level_value(json, len, key, &v);
    if (r != 1) return r;
    long n = 0;
    const char *p = v.p;
    if (p >= v.end || *p < '0' || *p > '9') return -2;
    for (; p < v.end && *p >= '0' && *p <= '9'; p++) {
        n = n * 10 + (*p - '0');
        if (n > max) return -2;
    }
    if (p < v.end && (*p == '.' || *p == 'e' || *p == 'E')) return -2;
    if (n < min) return -2;
    *out = n;
    return 1;
}

/* ---- output ---- */

static const char *out_version = "1.1.0";

static void json_escape(struct buf *b, const char *s) {
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        char tmp[8];
        if (c == '"' || c == '\\') {
            tmp[0] = '\\'; tmp[1] = (char)c;
            buf_add(b, tmp, 2);
        } else if (c < 0x20) {
            snprintf(tmp, sizeof tmp, "\\u%04x", c);
            buf_add(b, tmp, 6);
        } else {
            buf_add(b, s, 1);
        }
    }
}

/* Prints the spec's error structure on stdout and returns the exit code (1). */
static int cni_error(int code, const char *msg, const char *details) {
    struct buf b = {0};
    char num[16];
    buf_add(&b, "{\"cniVersion\":\"", 15);
    json_escape(&b, out_version);
    snprintf(num, sizeof num, "%d", code);
    buf_add(&b, "\",\"code\":", 9);
    buf_add(&b, num, strlen(num));
    buf_add(&b, ",\"msg\":\"", 8);
    json_escape(&b, msg);
    buf_add(&b, "\"", 1);
    if (details && *details) {
        buf_add(&b, ",\"details\":\"", 12);
        json_escape(&b, details);
        buf_add(&b, "\"", 1);
    }
    buf_add(&b, "}\n", 2);
    if (!b.data || write_all(STDOUT_FILENO, b.data, b.len) < 0) return 1;
    return 1;
}

static int print_version(void) {
    struct buf b = {0};
    buf_add(&b, "{\"cniVersion\":\"", 15);
    buf_add(&b, out_version, strlen(out_version));
    buf_add(&b, "\",\"supportedVersions\":[", 23);
    for (size_t i = 0; i < N_SUPPORTED; i++) {
        if (i) buf_add(&b, ",", 1);
        buf_add(&b, "\"", 1);
        buf_add(&b, SUPPORTED[i], strlen(SUPPORTED[i]));
        buf_add(&b, "\"", 1);
    }
    buf_add(&b, "]}\n", 3);
    return b.data && write_all(STDOUT_FILENO, b.data, b.len) == 0 ? 0 : 1;
}

/* ---- input ---- */

static int read_stdin(struct buf *b) {
    if (isatty(STDIN_FILENO)) return 0;
    unsigned char chunk[65536];
    for (;;) {
        ssize_t r = read(STDIN_FILENO, chunk, sizeof chunk);
        if (r < 0) {
            if (errno == EINTR) continue;
            if (errno == EBADF) return 0; /* no stdin at all */
            return -1;
        }
        if (r == 0) return 0;
        if (b->len + (size_t)r > MAX_STDIN) { errno = EFBIG; return -1; }
        if (buf_add(b, chunk, (size_t)r) < 0) return -1;
    }
}

/* The request frame (PROTOCOL.md): header, then NUL-terminated CNI_* variables, then stdin. */
static int build_frame(struct buf *frame, const struct buf *in) {
    struct buf env = {0};
    for (char **e = environ; *e; e++) {
        if (strncmp(*e, "CNI_", 4) != 0) continue;
        size_t n = strlen(*e) + 1;
        if (env.len + n > MAX_ENV) { errno = E2BIG; return -1; }
        if (buf_add(&env, *e, n) < 0) return -1;
    }
    unsigned char h[HEADER_LEN];
    memcpy(h, "TWCQ", 4);
    put_u16(h + 4, PROTO_VERSION);
    put_u16(h + 6, 0);
    put_u32(h + 8, (uint32_t)env.len);
    put_u32(h + 12, (uint32_t)in->len);
    if (buf_add(frame, h, sizeof h) < 0) return -1;
    if (env.len && buf_add(frame, env.data, env.len) < 0) return -1;
    if (in->len && buf_add(frame, in->data, in->len) < 0) return -1;
    free(env.data);
    return 0;
}

/* ---- talking to the agent ---- */

static long long now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int read_full(int fd, unsigned char *p, size_t n, long long deadline, const char **why) {
    while (n > 0) {
        long long left = deadline - now_ms();
        if (left <= 0) { *why = "timed out waiting for the answer"; errno = ETIMEDOUT; return -1; }
        struct pollfd pfd = {.fd = fd, .events = POLLIN};
        int pr = poll(&pfd, 1, left > 1000000 ? 1000000 : (int)left);
        if (pr < 0) {
            if (errno == EINTR) continue;
            *why = "poll";
            return -1;
        }
        if (pr == 0) continue;
        ssize_t r = read(fd, p, n);
        if (r < 0) {
            if (errno == EINTR || errno == EAGAIN) continue;
            *why = "reading the answer";
            return -1;
        }
        if (r == 0) { *why = "the agent closed the connection before answering"; errno = ECONNRESET; return -1; }
        p += r;
        n -= (size_t)r;
    }
    return 0;
}

/*
 * Sends the frame and reads the answer. Returns 0 with exit_code and answer set, or -1 with *why and errno
 * describing the failure; *sent tells whether the whole request reached the agent.
 */
static int exchange(const char *sock_path, const struct buf *frame, long timeout_s, int *exit_code,
                    struct buf *answer, const char **why, int *sent) {
    *sent = 0;
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) { *why = "socket"; return -1; }
    struct timeval tv = {.tv_sec = CONNECT_TIMEOUT_S};
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    struct sockaddr_un addr = {.sun_family = AF_UNIX};
    memcpy(addr.sun_path, sock_path, strlen(sock_path) + 1);
    if (connect(fd, (struct sockaddr *)&addr, sizeof addr) < 0) {
        int e = errno;
        close(fd);
        errno = e;
        *why = "connect";
        return -1;
    }
    long long deadline = now_ms() + (long long)timeout_s * 1000;
    size_t off = 0;
    int send_err = 0;
    while (off < frame->len) {
        ssize_t w = send(fd, frame->data + off, frame->len - off, MSG_NOSIGNAL);
        if (w < 0) {
            if (errno == EINTR) continue;
            send_err = errno;
            if (send_err == EPIPE || send_err == ECONNRESET) break; /* it may have answered first: read on */
            close(fd);
            errno = send_err;
            *why = "sending the request";
            return -1;
        }
        off += (size_t)w;
        if (now_ms() > deadline) { close(fd); errno = ETIMEDOUT; *why = "sending the request"; return -1; }
    }
    *sent = send_err == 0;
    unsigned char h[HEADER_LEN];
    if (read_full(fd, h, sizeof h, deadline, why) < 0) {
        int e = send_err ? send_err : errno;
        if (send_err) *why = "sending the request";
        close(fd);
        errno = e;
        return -1;
    }
    uint32_t code = get_u32(h + 8), len = get_u32(h + 12);
    if (memcmp(h, "TWCR", 4) != 0 || get_u16(h + 4) != PROTO_VERSION || code > 255 || len > MAX_STDOUT) {
        close(fd);
        errno = EPROTO;
        *why = "malformed answer (not a Twill agent, or another protocol version)";
        return -1;
    }
    answer->len = 0;
    if (len) {
        unsigned char *d = malloc(len);
        if (!d) { close(fd); *why = "malloc"; return -1; }
        if (read_full(fd, d, len, deadline, why) < 0) { int e = errno; free(d); close(fd); errno = e; return -1; }
        answer->data = d;
        answer->len = answer->cap = len;
    }
    close(fd);
    *exit_code = (int)code;
    return 0;
}

/* ---- the deletion queue ---- */

static int mkdir_p(const char *dir) {
    char tmp[PATH_MAX];
    size_t n = strlen(dir);
    if (n == 0 || n >= sizeof tmp) { errno = ENAMETOOLONG; return -1; }
    memcpy(tmp, dir, n + 1);
    for (char *p = tmp + 1; *p; p++) {
        if (*p != '/') continue;
        *p = 0;
        if (mkdir(tmp, 0700) < 0 && errno != EEXIST) return -1;
        *p = '/';
    }
    if (mkdir(tmp, 0700) < 0 && errno != EEXIST) return -1;
    return 0;
}

/* Writes the request to <socket dir>/delete-queue/<time>-<pid>.del atomically (temp file, then rename). */
static int queue_delete(const char *sock_path, const struct buf *frame, char *err, size_t errsz) {
    char dir[PATH_MAX], tmp[PATH_MAX], final[PATH_MAX];
    const char *slash = strrchr(sock_path, '/');
    size_t dlen = (size_t)(slash - sock_path);
    if (dlen == 0) dlen = 1; /* socket in / */
    if ((size_t)snprintf(dir, sizeof dir, "%.*s/%s", (int)dlen, sock_path, QUEUE_DIR_NAME) >= sizeof dir) {
        snprintf(err, errsz, "queue directory path too long");
        return -1;
    }
    if (mkdir_p(dir) < 0) {
        snprintf(err, errsz, "cannot create %s: %s", dir, strerror(errno));
        return -1;
    }
    DIR *d = opendir(dir);
    if (!d) {
        snprintf(err, errsz, "cannot open %s: %s", dir, strerror(errno));
        return -1;
    }
    int queued = 0;
    for (struct dirent *de; (de = readdir(d));) {
        if (de->d_name[0] != '.') queued++;
    }
    closedir(d);
    if (queued >= QUEUE_MAX) {
        snprintf(err, errsz, "%s already holds %d queued DELs (limit %d); the agent has not drained it", dir,
                 queued, QUEUE_MAX);
        errno = ENOSPC;
        return -1;
    }
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    unsigned long long ns = (unsigned long long)ts.tv_sec * 1000000000ull + (unsigned long long)ts.tv_nsec;
    snprintf(tmp, sizeof tmp, "%s/.tmp-%d-%llu", dir, (int)getpid(), ns);
    snprintf(final, sizeof final, "%s/%020llu-%d.del", dir, ns, (int)getpid());
    int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) {
        snprintf(err, errsz, "cannot create %s: %s", tmp, strerror(errno));
        return -1;
    }
    if (write_all(fd, frame->data, frame->len) < 0 || fsync(fd) < 0) {
        snprintf(err, errsz, "cannot write %s: %s", tmp, strerror(errno));
        close(fd);
        unlink(tmp);
        return -1;
    }
    close(fd);
    if (rename(tmp, final) < 0) {
        snprintf(err, errsz, "cannot rename %s to %s: %s", tmp, final, strerror(errno));
        unlink(tmp);
        return -1;
    }
    return 0;
}

/* ---- main ---- */

enum verb { V_ADD, V_DEL, V_CHECK, V_STATUS, V_GC, V_OTHER };

static enum verb classify(const char *cmd) {
    if (strcmp(cmd, "ADD") == 0) return V_ADD;
    if (strcmp(cmd, "DEL") == 0) return V_DEL;
    if (strcmp(cmd, "CHECK") == 0) return V_CHECK;
    if (strcmp(cmd, "STATUS") == 0) return V_STATUS;
    if (strcmp(cmd, "GC") == 0) return V_GC;
    return V_OTHER;
}

int main(void) {
    signal(SIGPIPE, SIG_IGN);
    struct buf in = {0};
    static char msg[PATH_MAX + 256], details[PATH_MAX + 512], version[16], sock_path[sizeof(((struct sockaddr_un *)0)->sun_path)];
    int stdin_err = read_stdin(&in) < 0 ? errno : 0;
    const char *json = in.data ? (const char *)in.data : "";

    if (top_level_string(json, in.len, "cniVersion", version, sizeof version) == 1) {
        for (size_t i = 0; i < N_SUPPORTED; i++) {
            if (strcmp(version, SUPPORTED[i]) == 0) out_version = SUPPORTED[i];
        }
    }
    const char *cmd = getenv("CNI_COMMAND");
    if (!cmd || !*cmd) {
        fprintf(stderr, "twill-cni: the Twill CNI plugin; CNI protocol versions supported: 0.3.0, 0.3.1, 0.4.0, "
                        "1.0.0, 1.1.0\n");
        return cni_error(4, "CNI_COMMAND is not set", "");
    }
    if (strcmp(cmd, "VERSION") == 0) return print_version();
    enum verb verb = classify(cmd);
    if (verb == V_OTHER) {
        snprintf(msg, sizeof msg, "CNI_COMMAND=%.64s is not a CNI command (ADD, DEL, CHECK, STATUS, GC, VERSION)", cmd);
        return cni_error(4, msg, "");
    }
    if (stdin_err) {
        snprintf(msg, sizeof msg, "cannot read the network config from stdin: %s",
                 stdin_err == EFBIG ? "larger than 1 MiB" : strerror(stdin_err));
        return cni_error(5, msg, "");
    }

    int found = top_level_string(json, in.len, "agentSocket", sock_path, sizeof sock_path);
    if (found == -2 || (found == 1 && sock_path[0] != '/')) {
        return cni_error(7, "agentSocket: must be an absolute path shorter than 108 bytes", "");
    }
    if (found != 1) snprintf(sock_path, sizeof sock_path, "%s", DEFAULT_SOCKET);

    struct buf frame = {0};
    if (build_frame(&frame, &in) < 0) {
        snprintf(msg, sizeof msg, "cannot frame the request: %s",
                 errno == E2BIG ? "CNI_* environment larger than 64 KiB" : strerror(errno));
        return cni_error(errno == E2BIG ? 4 : 5, msg, "");
    }

    struct buf answer = {0};
    int exit_code = 1, sent = 0;
    const char *why = "";
    long timeout = verb == V_STATUS ? STATUS_TIMEOUT_S : REPLY_TIMEOUT_S;
    if (top_level_int(json, in.len, "agentTimeoutSeconds", 1, 3600, &timeout) == -2) {
        return cni_error(7, "agentTimeoutSeconds: expected an integer from 1 to 3600", "");
    }
    if (exchange(sock_path, &frame, timeout, &exit_code, &answer, &why, &sent) == 0) {
        if (answer.len && write_all(STDOUT_FILENO, answer.data, answer.len) < 0) return 1;
        return exit_code;
    }
    int err = errno;
    if (sent) snprintf(msg, sizeof msg, "no answer from the Twill agent at %s: %s: %s", sock_path, why, strerror(err));
    else snprintf(msg, sizeof msg, "Twill agent unreachable at %s: %s: %s", sock_path, why, strerror(err));

    switch (verb) {
    case V_DEL: {
        char qerr[PATH_MAX + 256];
        if (queue_delete(sock_path, &frame, qerr, sizeof qerr) == 0) {
            fprintf(stderr, "twill-cni: %s; DEL queued for the agent\n", msg);
            return 0;
        }
        int full = errno == ENOSPC;
        snprintf(details, sizeof details, "DEL could not be queued either: %s", qerr);
        return cni_error(full ? 11 : 5, msg, details);
    }
    case V_STATUS:
        return cni_error(50, msg, "the plugin cannot service ADD until the twill agent on this node is up");
    case V_ADD:
        snprintf(details, sizeof details, "%s; is the twill agent running on this node? The runtime retries ADD.",
                 sent ? "the request reached the agent but no answer came" : "ADD needs the agent");
        return cni_error(11, msg, details);
    default:
        return cni_error(11, msg, "is the twill agent running on this node?");
    }
}
