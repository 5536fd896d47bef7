/* ws_echo: a single-threaded, level-triggered epoll WebSocket echo server in C, the fixed fast
 * server that every client is measured against and the "best we could hand-write" server row.
 *
 * Usage: ws_echo [port]. Prints "PORT <n>".
 *
 * It echoes frame by frame (a fragmented message comes back with the same fragments), answers
 * pings, returns the close frame and closes. It checks masking and lengths but does NOT validate
 * UTF-8 (a conformant server must: ours, picows, websockets, node ws and hummingbird do, so its
 * text rows are a bound, not a peer). permessage-deflate (RFC 7692) over zlib, with context
 * takeover on its side; it accepts the client's client_no_context_takeover. */
#include "wsutil.h"
#include <sys/epoll.h>
#include <zlib.h>

#define READ_CHUNK (256 * 1024)
#define MAX_FRAME ((uint64_t)64 << 20)

typedef struct {
    uint8_t *data;
    size_t len, cap, off; /* off: consumed (in) or written (out) prefix */
} Buf;

typedef struct {
    int fd, open, closing, deflate, deflate_ready;
    Buf in, out, msg; /* msg: a compressed message being assembled */
    int msg_opcode;
    z_stream zin, zout;
} Conn;

static int ep;

static void buf_reserve(Buf *b, size_t extra) {
    if (b->off > 0 && b->off == b->len) { b->off = b->len = 0; }
    if (b->len + extra <= b->cap) return;
    if (b->off > 0) { memmove(b->data, b->data + b->off, b->len - b->off); b->len -= b->off; b->off = 0; }
    if (b->len + extra <= b->cap) return;
    size_t cap = b->cap ? b->cap : 4096;
    while (cap < b->len + extra) cap *= 2;
    b->data = realloc(b->data, cap);
    b->cap = cap;
}

static void buf_append(Buf *b, const void *p, size_t n) { buf_reserve(b, n); memcpy(b->data + b->len, p, n); b->len += n; }

static void drop(Conn *c) {
    epoll_ctl(ep, EPOLL_CTL_DEL, c->fd, NULL);
    close(c->fd);
    if (c->deflate_ready) { inflateEnd(&c->zin); deflateEnd(&c->zout); }
    free(c->in.data); free(c->out.data); free(c->msg.data); free(c);
}

static void set_interest(Conn *c, uint32_t events) {
    struct epoll_event e = {.events = events, .data.ptr = c};
    epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &e);
}

/* Writes what the socket takes; returns -1 on error. Reading pauses while output waits. */
static int flush_out(Conn *c) {
    while (c->out.off < c->out.len) {
        ssize_t w = send(c->fd, c->out.data + c->out.off, c->out.len - c->out.off, MSG_NOSIGNAL);
        if (w < 0) {
            if (errno == EAGAIN) { set_interest(c, EPOLLOUT); return 0; }
            return -1;
        }
        c->out.off += w;
    }
    c->out.off = c->out.len = 0;
    if (c->closing) return -1;
    set_interest(c, EPOLLIN);
    return 0;
}

static void header(Buf *out, int fin_rsv_opcode, uint64_t len) {
    uint8_t h[10];
    size_t n = 2;
    h[0] = (uint8_t)fin_rsv_opcode;
    if (len < 126) h[1] = (uint8_t)len;
    else if (len < 65536) { h[1] = 126; h[2] = (uint8_t)(len >> 8); h[3] = (uint8_t)len; n = 4; }
    else { h[1] = 127; for (int i = 0; i < 8; i++) h[2 + i] = (uint8_t)(len >> (56 - 8 * i)); n = 10; }
    buf_append(out, h, n);
}

/* Appends `payload` unmasked with `key`, a word at a time. */
static void append_unmasked(Buf *out, const uint8_t *p, uint64_t n, const uint8_t key[4]) {
    buf_reserve(out, n);
    uint8_t *d = out->data + out->len;
    uint64_t k8;
    uint8_t kk[8] = {key[0], key[1], key[2], key[3], key[0], key[1], key[2], key[3]};
    memcpy(&k8, kk, 8);
    uint64_t i = 0;
    for (; i + 8 <= n; i += 8) { uint64_t v; memcpy(&v, p + i, 8); v ^= k8; memcpy(d + i, &v, 8); }
    for (; i < n; i++) d[i] = p[i] ^ key[i & 3];
    out->len += n;
}

static int handshake(Conn *c) {
    uint8_t *start = c->in.data + c->in.off;
    size_t avail = c->in.len - c->in.off;
    uint8_t *end = memmem(start, avail, "\r\n\r\n", 4);
    if (!end) return avail > 16384 ? -1 : 0;
    *end = 0;
    char *key = strcasestr((char *)start, "\r\nSec-WebSocket-Key:");
    if (!key) return -1;
    key += 20;
    while (*key == ' ') key++;
    size_t key_len = strcspn(key, "\r\n ");
    char accept[29];
    websocket_accept(key, key_len, accept);
    char *ext = strcasestr((char *)start, "\r\nSec-WebSocket-Extensions:");
    char extensions[128] = "";
    if (ext) {
        char *line_end = strstr(ext + 2, "\r\n");
        size_t line_len = line_end ? (size_t)(line_end - ext) : strlen(ext);
        char line[1024];
        snprintf(line, sizeof line, "%.*s", (int)line_len, ext);
        if (strstr(line, "permessage-deflate")) {
            c->deflate = 1;
            snprintf(extensions, sizeof extensions, "Sec-WebSocket-Extensions: permessage-deflate%s\r\n",
                     strstr(line, "client_no_context_takeover") ? "; client_no_context_takeover" : "");
            inflateInit2(&c->zin, -15);
            deflateInit2(&c->zout, Z_DEFAULT_COMPRESSION, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY);
            c->deflate_ready = 1;
        }
    }
    char response[512];
    int n = snprintf(response, sizeof response,
                     "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                     "Sec-WebSocket-Accept: %s\r\n%s\r\n", accept, extensions);
    buf_append(&c->out, response, n);
    c->in.off = (size_t)(end + 4 - c->in.data);
    c->open = 1;
    return 0;
}

/* Inflates a whole compressed message and appends it, compressed again, as one frame. */
static int echo_deflated(Conn *c, int opcode) {
    static const uint8_t trailer[4] = {0, 0, 0xff, 0xff};
    buf_append(&c->msg, trailer, 4);
    static uint8_t plain[1 << 20];
    static Buf compressed;
    compressed.len = compressed.off = 0;
    c->zin.next_in = c->msg.data;
    c->zin.avail_in = (uInt)c->msg.len;
    do {
        c->zin.next_out = plain;
        c->zin.avail_out = sizeof plain;
        int r = inflate(&c->zin, Z_SYNC_FLUSH);
        if (r != Z_OK && r != Z_BUF_ERROR) return -1;
        size_t produced = sizeof plain - c->zin.avail_out;
        c->zout.next_in = plain;
        c->zout.avail_in = (uInt)produced;
        do {
            buf_reserve(&compressed, 65536);
            c->zout.next_out = compressed.data + compressed.len;
            c->zout.avail_out = 65536;
            deflate(&c->zout, c->zin.avail_in == 0 && c->zin.avail_out != 0 ? Z_SYNC_FLUSH : Z_NO_FLUSH);
            compressed.len += 65536 - c->zout.avail_out;
        } while (c->zout.avail_out == 0);
    } while (c->zin.avail_in > 0 || c->zin.avail_out == 0);
    c->msg.len = c->msg.off = 0;
    if (compressed.len >= 4) compressed.len -= 4; /* strip 00 00 ff ff (RFC 7692 §7.2.1) */
    header(&c->out, 0x80 | 0x40 | opcode, compressed.len);
    buf_append(&c->out, compressed.data, compressed.len);
    return 0;
}

/* Handles every complete frame in the input; returns -1 to drop the connection. */
static int frames(Conn *c) {
    for (;;) {
        uint8_t *p = c->in.data + c->in.off;
        size_t avail = c->in.len - c->in.off;
        if (avail < 2) return 0;
        int fin = p[0] & 0x80, rsv1 = p[0] & 0x40, opcode = p[0] & 0x0f;
        if (!(p[1] & 0x80)) return -1; /* clients MUST mask */
        uint64_t len = p[1] & 0x7f;
        size_t h = 2;
        if (len == 126) { if (avail < 4) return 0; len = (uint64_t)p[2] << 8 | p[3]; h = 4; }
        else if (len == 127) { if (avail < 10) return 0; len = 0; for (int i = 0; i < 8; i++) len = len << 8 | p[2 + i]; h = 10; }
        if (len > MAX_FRAME) return -1;
        if (avail < h + 4 + len) { buf_reserve(&c->in, h + 4 + len - avail); return 0; }
        const uint8_t *key = p + h;
        const uint8_t *payload = p + h + 4;
        c->in.off += h + 4 + len;
        if (opcode == 8) { /* close: return it, then close */
            header(&c->out, 0x88, len);
            append_unmasked(&c->out, payload, len, key);
            c->closing = 1;
            return 0;
        }
        if (opcode == 9) { header(&c->out, 0x8A, len); append_unmasked(&c->out, payload, len, key); continue; }
        if (opcode == 10) continue;
        if (rsv1 && !c->deflate) return -1;
        if (c->deflate && (rsv1 || c->msg.len > 0 || (opcode == 0 && c->msg_opcode))) {
            if (opcode != 0) c->msg_opcode = opcode;
            append_unmasked(&c->msg, payload, len, key);
            if (fin) {
                if (echo_deflated(c, c->msg_opcode) < 0) return -1;
                c->msg_opcode = 0;
            }
            continue;
        }
        header(&c->out, (fin ? 0x80 : 0) | opcode, len);
        append_unmasked(&c->out, payload, len, key);
    }
}

int main(int argc, char **argv) {
    int lfd = listen_loopback(argc > 1 ? atoi(argv[1]) : 0);
    ep = epoll_create1(EPOLL_CLOEXEC);
    struct epoll_event ev = {.events = EPOLLIN, .data.ptr = NULL};
    epoll_ctl(ep, EPOLL_CTL_ADD, lfd, &ev);
    struct epoll_event events[256];
    for (;;) {
        int n = epoll_wait(ep, events, 256, -1);
        for (int i = 0; i < n; i++) {
            Conn *c = events[i].data.ptr;
            if (!c) {
                int fd;
                while ((fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC)) >= 0) {
                    set_nodelay(fd);
                    Conn *nc = calloc(1, sizeof *nc);
                    nc->fd = fd;
                    struct epoll_event e = {.events = EPOLLIN, .data.ptr = nc};
                    epoll_ctl(ep, EPOLL_CTL_ADD, fd, &e);
                }
                continue;
            }
            if (events[i].events & EPOLLOUT) {
                if (flush_out(c) < 0) drop(c);
                continue;
            }
            buf_reserve(&c->in, READ_CHUNK);
            ssize_t r = recv(c->fd, c->in.data + c->in.len, c->in.cap - c->in.len, 0);
            if (r == 0 || (r < 0 && errno != EAGAIN)) { drop(c); continue; }
            if (r < 0) continue;
            c->in.len += r;
            if (!c->open && handshake(c) < 0) { drop(c); continue; }
            if (c->open && frames(c) < 0) { drop(c); continue; }
            if (c->out.len > c->out.off && flush_out(c) < 0) { drop(c); continue; }
            if (c->closing && c->out.len == c->out.off) drop(c);
        }
    }
}
