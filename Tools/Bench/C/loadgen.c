/* loadgen: the benchmark's load generator and C client driver (the client floor).
 *
 * One thread, level-triggered epoll. Frames are built once, masked, and sent from a buffer of
 * back-to-back copies; each connection keeps W messages in flight and every echoed byte is
 * checked against what was sent (payload byte for byte, plus opcode and FIN).
 *
 *   loadgen --port P [--host 127.0.0.1] [--mode stream|handshake|idle] [--raw]
 *           [--conns C] [--inflight W] [--size S] [--kind binary|text] [--payload FILE]
 *           [--deflate] [--tls --ca FILE] [--duration S] [--warmup S] [--malloc-file PATH]
 *
 * stream     C connections, W messages of S bytes in flight each (ping-pong: C=1, W=1).
 * handshake  C concurrent slots: connect, upgrade, close handshake, wait for the server's EOF.
 * idle       open C upgraded connections, print {"ready": true}, hold them for --duration.
 * --raw      no WebSocket at all: the masked frames are sent over plain TCP and must come back
 *            unchanged (against tcp_echo: the floor). With handshake: connect, send the
 *            upgrade request's bytes, read them back, close.
 * --deflate  offer permessage-deflate; client_no_context_takeover and send the payload
 *            compressed (built once); echoes are inflated and compared. Exit 3 with
 *            {"unsupported": ...} when the server does not accept it.
 * --tls      wss://: after the TCP connect a non-blocking TLS handshake (OpenSSL, TLS 1.2 or newer),
 *            the server's certificate verified against --ca FILE and against the host (an IP
 *            address against the certificate's IP entries; a DNS name against its DNS entries,
 *            also sent as SNI: RFC 6066 §3 allows no IP literal there), then the upgrade and every
 *            frame over TLS. Each connection does a full handshake (no session resumption).
 *            The result line gains "tls": the version, cipher suite and key-exchange group.
 * --malloc-file  the mallocount file of the server: report its allocations during the window.
 *
 * Prints one JSON line: messages and seconds of the measured window (after --warmup), total
 * messages (warm-up and drain included), bytes, errors, allocs when asked, and with one message
 * in flight the round-trip times' median and 99th percentile (rtt_p50_us, rtt_p99_us).
 * Exits 1 on any verification error. */
#include "wsutil.h"
#include <sys/epoll.h>
#include <sys/mman.h>
#include <zlib.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

/* TLS_CONNECTING: TCP is up, the TLS handshake runs; HANDSHAKING: the upgrade request is sent. */
enum { CONNECTING, TLS_CONNECTING, HANDSHAKING, OPEN, CLOSING, DONE };

typedef struct {
    int fd, state, slot;
    SSL *ssl;          /* NULL: plain TCP */
    uint8_t *tx; size_t tx_off, tx_len, tx_cap; /* TLS: ciphertext not yet on the socket */
    int tls_more;      /* records left in OpenSSL's buffer after a read budget ran out */
    uint64_t to_send;  /* frames queued, not fully written */
    size_t send_off;   /* bytes of the current frame already written */
    long inflight;
    int want_out;
    /* receive */
    char hs[8192]; size_t hs_len;
    uint8_t hdr[14]; int hdr_have, in_payload, opcode, fin, rsv1;
    uint64_t pay_left;
    int msg_active, msg_deflated; size_t msg_pos;
    uint8_t ctl[128]; int ctl_len;
    uint8_t pong[160]; int pong_len;
    size_t recv_off; /* raw mode */
    z_stream zin; int zin_ready, zin_reset;
    double started;
    double sent_at;    /* with one message in flight: when it was queued (round-trip times) */
    int close_received;
} Conn;

static struct {
    const char *host; int port; const char *mode; int raw, conns, deflate; long inflight;
    size_t size; const char *kind; const char *payload_file; double duration, warmup;
    const char *malloc_file; int tls; const char *ca;
} opt = {"127.0.0.1", 0, "stream", 0, 1, 0, 1, 16, "binary", NULL, 2.0, 0.3, NULL, 0, NULL};

static SSL_CTX *tls_context;
static int tls_backlog; /* connections with tls_more set */
static char tls_negotiated[160]; /* "TLSv1.3 TLS_AES_256_GCM_SHA384 X25519", of the first connection */

static int ep;
static uint8_t *payload;        /* the message, unmasked */
static uint8_t *frame; static size_t flen;  /* one masked frame as sent */
static uint8_t *sendbuf; static size_t sendbuf_len;
static int data_opcode;
static char request[512]; static size_t request_len;
static uint64_t messages, window_messages, bytes_received, errors;
static int measuring, stopping;
static volatile uint64_t *mallocs;
static float *rtts; static size_t rtt_count, rtt_cap;  /* microseconds, measured window, W = 1 */

static int compare_float(const void *a, const void *b) {
    float x = *(const float *)a, y = *(const float *)b;
    return (x > y) - (x < y);
}

static void fail(Conn *c, const char *what) {
    fprintf(stderr, "loadgen: connection %d: %s\n", c ? c->slot : -1, what);
    errors++;
    printf("{\"error\": \"%s\", \"messages\": 0, \"seconds\": 1, \"errors\": %llu}\n", what, (unsigned long long)errors);
    exit(1);
}

static void interest(Conn *c, int want_out) {
    if (c->want_out == want_out) return;
    c->want_out = want_out;
    struct epoll_event e = {.events = EPOLLIN | (want_out ? EPOLLOUT : 0), .data.ptr = c};
    epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &e);
}

/* send(2) and recv(2), or their TLS equivalents: the same contract (bytes moved, or -1 with
 * errno EAGAIN when the socket would block, another errno on failure; recv returns 0 at the end of
 * the stream), so that plain and TLS connections share every other line. The plain path pays
 * one predictable branch. */
static ssize_t tls_send(Conn *c, const void *p, size_t n);
static ssize_t tls_recv(Conn *c, void *p, size_t n);

static inline ssize_t io_send(Conn *c, const void *p, size_t n) {
    if (__builtin_expect(c->ssl != NULL, 0)) return tls_send(c, p, n);
    return send(c->fd, p, n, MSG_NOSIGNAL);
}

static inline ssize_t io_recv(Conn *c, void *p, size_t n) {
    if (__builtin_expect(c->ssl != NULL, 0)) return tls_recv(c, p, n);
    return recv(c->fd, p, n, 0);
}

/* TLS writes: OpenSSL encrypts into a per-connection buffer (a BIO of our own), which goes to the
 * socket in as few send(2) calls as it takes, not one per 16 KiB record. A socket that is full
 * leaves ciphertext behind: tx_pending() then keeps EPOLLOUT on, and tls_send refuses more
 * plaintext (EAGAIN) until it is out, which is the plain path's back-pressure. SSL_write never
 * sees a full socket, so there is no WANT_WRITE and no retry-with-the-same-bytes rule. */
static inline int tx_pending(const Conn *c) { return c->ssl && c->tx_off < c->tx_len; }

/* 1: every byte of ciphertext is on the socket; 0: the socket is full; -1: error (errno). */
static int tls_flush(Conn *c) {
    while (c->tx_off < c->tx_len) {
        ssize_t w = send(c->fd, c->tx + c->tx_off, c->tx_len - c->tx_off, MSG_NOSIGNAL);
        if (w < 0) return errno == EAGAIN ? 0 : -1;
        c->tx_off += (size_t)w;
    }
    c->tx_off = c->tx_len = 0;
    return 1;
}

static int tx_bio_write(BIO *bio, const char *data, size_t n, size_t *written) {
    Conn *c = BIO_get_data(bio);
    if (c->tx_off == c->tx_len) c->tx_off = c->tx_len = 0;
    if (c->tx_len + n > c->tx_cap) {
        if (c->tx_off) {
            memmove(c->tx, c->tx + c->tx_off, c->tx_len - c->tx_off);
            c->tx_len -= c->tx_off; c->tx_off = 0;
        }
        if (c->tx_len + n > c->tx_cap) {
            c->tx_cap = c->tx_len + n > 2 * c->tx_cap ? c->tx_len + n : 2 * c->tx_cap;
            c->tx = realloc(c->tx, c->tx_cap);
        }
    }
    memcpy(c->tx + c->tx_len, data, n);
    c->tx_len += n;
    *written = n;
    return 1;
}

static long tx_bio_ctrl(BIO *bio, int cmd, long num, void *ptr) {
    (void)bio; (void)num; (void)ptr;
    return cmd == BIO_CTRL_FLUSH; /* the caller flushes to the socket (tls_flush) */
}

static BIO_METHOD *tx_bio_method;

/* SSL_write the whole buffer into tx (after the previous ciphertext has left), then push. */
static ssize_t tls_send(Conn *c, const void *p, size_t n) {
    int flushed = tls_flush(c);
    if (flushed <= 0) { if (flushed == 0) errno = EAGAIN; return -1; }
    size_t written = 0;
    if (!SSL_write_ex(c->ssl, p, n, &written)) { ERR_clear_error(); errno = EPIPE; return -1; }
    if (tls_flush(c) < 0) return -1;
    return (ssize_t)written;
}

/* One SSL_read: WANT_READ/WANT_WRITE are EAGAIN; close_notify, or an EOF without it
 * (SSL_OP_IGNORE_UNEXPECTED_EOF), is the end of the stream. (Reads produce no ciphertext to send
 * here: no renegotiation in TLS 1.3, and no server of the benchmark sends KeyUpdate.) */
static ssize_t tls_recv(Conn *c, void *p, size_t n) {
    size_t got = 0;
    if (SSL_read_ex(c->ssl, p, n, &got)) return (ssize_t)got;
    int e = SSL_get_error(c->ssl, 0);
    if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) { errno = EAGAIN; return -1; }
    if (e == SSL_ERROR_ZERO_RETURN) return 0;
    if (e == SSL_ERROR_SYSCALL && errno == 0) return 0;
    ERR_clear_error();
    errno = EPROTO;
    return -1;
}

static void tls_setup(void) {
    tls_context = SSL_CTX_new(TLS_client_method());
    if (!tls_context) { fprintf(stderr, "loadgen: SSL_CTX_new failed\n"); exit(2); }
    SSL_CTX_set_min_proto_version(tls_context, TLS1_2_VERSION);
    if (!opt.ca || SSL_CTX_load_verify_locations(tls_context, opt.ca, NULL) != 1) {
        fprintf(stderr, "loadgen: --tls needs --ca FILE with the CA that signed the server's certificate\n");
        exit(2);
    }
    SSL_CTX_set_verify(tls_context, SSL_VERIFY_PEER, NULL);
    SSL_CTX_set_options(tls_context, SSL_OP_IGNORE_UNEXPECTED_EOF);
    SSL_CTX_set_session_cache_mode(tls_context, SSL_SESS_CACHE_OFF); /* full handshakes */
    /* Read as many records as the socket holds per recv(2), not one header and one body. */
    SSL_CTX_set_read_ahead(tls_context, 1);
    SSL_CTX_set_default_read_buffer_len(tls_context, 256 * 1024);
    tx_bio_method = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK, "loadgen ciphertext");
    BIO_meth_set_write_ex(tx_bio_method, tx_bio_write);
    BIO_meth_set_ctrl(tx_bio_method, tx_bio_ctrl);
}

static void tls_start(Conn *c) {
    c->ssl = SSL_new(tls_context);
    BIO *rbio = BIO_new_socket(c->fd, BIO_NOCLOSE), *wbio = BIO_new(tx_bio_method);
    BIO_set_data(wbio, c);
    BIO_set_init(wbio, 1);
    SSL_set_bio(c->ssl, rbio, wbio);
    struct in_addr ip4; struct in6_addr ip6;
    if (inet_pton(AF_INET, opt.host, &ip4) == 1 || inet_pton(AF_INET6, opt.host, &ip6) == 1) {
        X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(c->ssl), opt.host);
    } else {
        SSL_set_tlsext_host_name(c->ssl, opt.host);
        SSL_set1_host(c->ssl, opt.host);
    }
    c->state = TLS_CONNECTING;
}

static void send_request(Conn *c);

/* One step of the non-blocking handshake; on success the upgrade request follows. */
static void tls_step(Conn *c) {
    int r = SSL_connect(c->ssl);
    if (tls_flush(c) < 0) fail(c, "TLS handshake: send");
    if (r == 1) {
        if (!tls_negotiated[0]) {
            const char *group = NULL;
            int nid = SSL_get_negotiated_group(c->ssl);
            if (nid) group = SSL_group_to_name(c->ssl, nid);
            snprintf(tls_negotiated, sizeof tls_negotiated, "%s %s %s", SSL_get_version(c->ssl),
                     SSL_CIPHER_get_name(SSL_get_current_cipher(c->ssl)), group ? group : "");
        }
        send_request(c);
        return;
    }
    int e = SSL_get_error(c->ssl, r);
    if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) { interest(c, tx_pending(c)); return; }
    static char what[200];
    long verify = SSL_get_verify_result(c->ssl);
    unsigned long code = ERR_get_error();
    if (verify != X509_V_OK) snprintf(what, sizeof what, "TLS handshake: %s", X509_verify_cert_error_string(verify));
    else snprintf(what, sizeof what, "TLS handshake: %s", code ? ERR_reason_error_string(code) : "connection closed");
    fail(c, what);
}

static void build_frame(void) {
    uint8_t key[4] = {0x37, 0xfa, 0x21, 0x3d};
    const uint8_t *body = payload; size_t body_len = opt.size;
    uint8_t *compressed = NULL;
    int rsv1 = 0;
    if (opt.deflate) {
        z_stream z = {0};
        deflateInit2(&z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY);
        compressed = malloc(opt.size + 1024);
        z.next_in = payload; z.avail_in = (uInt)opt.size;
        z.next_out = compressed; z.avail_out = (uInt)opt.size + 1024;
        deflate(&z, Z_SYNC_FLUSH);
        body_len = opt.size + 1024 - z.avail_out - 4; /* strip 00 00 ff ff */
        deflateEnd(&z);
        body = compressed; rsv1 = 0x40;
    }
    frame = malloc(body_len + 14);
    size_t h = 0;
    frame[h++] = (uint8_t)(0x80 | rsv1 | data_opcode);
    if (body_len < 126) frame[h++] = (uint8_t)(0x80 | body_len);
    else if (body_len < 65536) { frame[h++] = 0x80 | 126; frame[h++] = (uint8_t)(body_len >> 8); frame[h++] = (uint8_t)body_len; }
    else { frame[h++] = 0x80 | 127; for (int i = 0; i < 8; i++) frame[h++] = (uint8_t)((uint64_t)body_len >> (56 - 8 * i)); }
    memcpy(frame + h, key, 4); h += 4;
    for (size_t i = 0; i < body_len; i++) frame[h + i] = body[i] ^ key[i & 3];
    flen = h + body_len;
    size_t copies = (256 * 1024) / flen;
    if (copies < 1) copies = 1;
    if ((long)copies > opt.inflight) copies = (size_t)opt.inflight;
    sendbuf_len = copies * flen;
    sendbuf = malloc(sendbuf_len);
    for (size_t i = 0; i < copies; i++) memcpy(sendbuf + i * flen, frame, flen);
    free(compressed);
}

static void load_payload(void) {
    if (opt.payload_file) {
        FILE *f = fopen(opt.payload_file, "rb");
        if (!f) { perror(opt.payload_file); exit(2); }
        payload = malloc(1 << 24);
        opt.size = fread(payload, 1, 1 << 24, f);
        fclose(f);
        data_opcode = 1;
        return;
    }
    payload = malloc(opt.size ? opt.size : 1);
    data_opcode = strcmp(opt.kind, "binary") == 0 ? 2 : 1;
    for (size_t i = 0; i < opt.size; i++)
        payload[i] = data_opcode == 2 ? (uint8_t)(i * 31 + 7) : (uint8_t)('a' + i % 26);
}

static Conn *open_conn(int slot) {
    Conn *c = calloc(1, sizeof *c);
    c->slot = slot;
    c->fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    set_nodelay(c->fd);
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons((uint16_t)opt.port)};
    inet_pton(AF_INET, opt.host, &addr.sin_addr);
    if (connect(c->fd, (struct sockaddr *)&addr, sizeof addr) < 0 && errno != EINPROGRESS) fail(c, "connect");
    c->state = CONNECTING;
    c->started = now_seconds();
    c->want_out = 1;
    struct epoll_event e = {.events = EPOLLIN | EPOLLOUT, .data.ptr = c};
    epoll_ctl(ep, EPOLL_CTL_ADD, c->fd, &e);
    return c;
}

static void close_conn(Conn *c) {
    epoll_ctl(ep, EPOLL_CTL_DEL, c->fd, NULL);
    if (c->tls_more) { c->tls_more = 0; tls_backlog--; }
    if (c->ssl) {
        /* Answer the server's close_notify with ours (non-blocking, best effort). */
        if (SSL_get_shutdown(c->ssl) & SSL_RECEIVED_SHUTDOWN) SSL_shutdown(c->ssl);
        tls_flush(c);
        SSL_free(c->ssl);
        c->ssl = NULL;
        free(c->tx); c->tx = NULL;
    }
    close(c->fd);
    if (c->zin_ready) inflateEnd(&c->zin);
    c->state = DONE;
}

static void pump_send(Conn *c) {
    if (tx_pending(c)) {
        int flushed = tls_flush(c);
        if (flushed < 0) fail(c, "send");
        if (flushed == 0) { interest(c, 1); return; }
    }
    if (c->pong_len && c->send_off == 0) {
        ssize_t w = io_send(c, c->pong, c->pong_len);
        if (w == c->pong_len) c->pong_len = 0; /* tiny: a partial write here is not worth handling */
    }
    while (c->to_send > 0) {
        size_t want = (size_t)(c->to_send * flen - c->send_off);
        if (want > sendbuf_len - c->send_off) want = sendbuf_len - c->send_off;
        ssize_t w = io_send(c, sendbuf + c->send_off, want);
        if (w < 0) {
            if (errno == EAGAIN) { interest(c, 1); return; }
            fail(c, "send");
        }
        size_t total = c->send_off + (size_t)w;
        c->to_send -= total / flen;
        c->send_off = total % flen;
        if ((size_t)w < want) { interest(c, 1); return; }
    }
    interest(c, tx_pending(c));
}

static void send_close(Conn *c) {
    uint8_t close_frame[8] = {0x88, 0x82, 0, 0, 0, 0, 0x03, 0xe8}; /* 1000, zero key */
    if (opt.raw) { shutdown(c->fd, SHUT_WR); c->state = CLOSING; return; }
    io_send(c, close_frame, sizeof close_frame);
    c->state = CLOSING;
    if (tx_pending(c)) interest(c, 1);
}

static void message_done(Conn *c) {
    messages++;
    if (measuring) window_messages++;
    if (opt.inflight == 1) {
        double t = now_seconds();
        if (measuring && rtt_count < rtt_cap) rtts[rtt_count++] = (float)((t - c->sent_at) * 1e6);
        c->sent_at = t;
    }
    c->inflight--;
    if (!stopping) { c->to_send++; c->inflight++; }
    else if (c->inflight == 0) send_close(c);
}

static void send_request(Conn *c) {
    ssize_t w = io_send(c, request, request_len);
    if (w != (ssize_t)request_len) fail(c, "request write");
    c->state = HANDSHAKING;
    interest(c, tx_pending(c));
}

static void start_streaming(Conn *c);

static void handshake_done(Conn *c);

static void read_handshake(Conn *c, const uint8_t *p, size_t n, size_t *used) {
    size_t room = sizeof c->hs - 1 - c->hs_len;
    size_t take = n < room ? n : room;
    memcpy(c->hs + c->hs_len, p, take);
    c->hs_len += take;
    c->hs[c->hs_len] = 0;
    if (opt.raw) { /* the request comes back as it was sent */
        *used = take;
        if (c->hs_len >= request_len) {
            if (memcmp(c->hs, request, request_len) != 0) fail(c, "raw handshake echo differs");
            *used = take - (c->hs_len - request_len);
            handshake_done(c);
        }
        return;
    }
    char *end = strstr(c->hs, "\r\n\r\n");
    if (!end) { if (c->hs_len >= sizeof c->hs - 1) fail(c, "response head too long"); *used = take; return; }
    size_t head_len = (size_t)(end + 4 - c->hs);
    *used = take - (c->hs_len - head_len);
    if (strncmp(c->hs, "HTTP/1.1 101", 12) != 0) fail(c, "no 101 response");
    if (!strcasestr(c->hs, "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=")) fail(c, "bad Sec-WebSocket-Accept");
    if (opt.deflate) {
        char *ext = strcasestr(c->hs, "\r\nSec-WebSocket-Extensions:");
        if (!ext || !strcasestr(ext, "permessage-deflate")) {
            printf("{\"unsupported\": \"permessage-deflate\"}\n");
            exit(3);
        }
        char *line_end = strstr(ext + 2, "\r\n");
        char saved = *line_end; *line_end = 0;
        c->zin_reset = strstr(ext, "server_no_context_takeover") != NULL;
        *line_end = saved;
        inflateInit2(&c->zin, -15);
        c->zin_ready = 1;
    }
    handshake_done(c);
}

/* Checks inflated bytes against the payload. */
static void inflate_compare(Conn *c, const uint8_t *p, size_t n) {
    static uint8_t out[65536];
    c->zin.next_in = (uint8_t *)p;
    c->zin.avail_in = (uInt)n;
    do {
        c->zin.next_out = out;
        c->zin.avail_out = sizeof out;
        int r = inflate(&c->zin, Z_SYNC_FLUSH);
        if (r != Z_OK && r != Z_BUF_ERROR) fail(c, "inflate");
        size_t produced = sizeof out - c->zin.avail_out;
        if (c->msg_pos + produced > opt.size || memcmp(payload + c->msg_pos, out, produced) != 0) fail(c, "inflated echo differs");
        c->msg_pos += produced;
    } while (c->zin.avail_in > 0 || c->zin.avail_out == 0);
}

static void frame_end(Conn *c) {
    c->in_payload = 0;
    if (c->opcode >= 8) {
        if (c->opcode == 9) { /* answer a ping, masked with a zero key */
            c->pong[0] = 0x8A; c->pong[1] = (uint8_t)(0x80 | c->ctl_len);
            memset(c->pong + 2, 0, 4);
            memcpy(c->pong + 6, c->ctl, c->ctl_len);
            c->pong_len = 6 + c->ctl_len;
            pump_send(c);
        } else if (c->opcode == 8) {
            if (c->state != CLOSING) fail(c, "unexpected close frame");
            c->close_received = 1; /* the server closes TCP next (RFC 6455 §7.1.1) */
        }
        return;
    }
    if (!c->fin) return;
    if (c->msg_deflated) {
        static const uint8_t trailer[4] = {0, 0, 0xff, 0xff};
        inflate_compare(c, trailer, 4);
        if (c->zin_reset) inflateReset(&c->zin);
    }
    if (c->msg_pos != opt.size) fail(c, "echo has the wrong length");
    c->msg_active = 0;
    message_done(c);
}

static void read_frames(Conn *c, const uint8_t *p, size_t n) {
    while (n > 0 && c->state != DONE) {
        if (!c->in_payload) {
            while (c->hdr_have < 2 && n > 0) { c->hdr[c->hdr_have++] = *p++; n--; }
            if (c->hdr_have < 2) return;
            int len7 = c->hdr[1] & 0x7f;
            if (c->hdr[1] & 0x80) fail(c, "server frame is masked");
            int need = 2 + (len7 == 126 ? 2 : len7 == 127 ? 8 : 0);
            while (c->hdr_have < need && n > 0) { c->hdr[c->hdr_have++] = *p++; n--; }
            if (c->hdr_have < need) return;
            uint64_t len = len7;
            if (len7 == 126) len = (uint64_t)c->hdr[2] << 8 | c->hdr[3];
            else if (len7 == 127) { len = 0; for (int i = 0; i < 8; i++) len = len << 8 | c->hdr[2 + i]; }
            c->fin = c->hdr[0] & 0x80; c->rsv1 = c->hdr[0] & 0x40; c->opcode = c->hdr[0] & 0x0f;
            c->hdr_have = 0;
            c->in_payload = 1;
            c->pay_left = len;
            if (c->opcode == 1 || c->opcode == 2) {
                if (c->msg_active) fail(c, "new message inside a fragmented one");
                if (c->opcode != data_opcode) fail(c, "echo has the wrong opcode");
                if (c->rsv1 && !opt.deflate) fail(c, "unexpected RSV1");
                c->msg_active = 1; c->msg_pos = 0; c->msg_deflated = c->rsv1;
            } else if (c->opcode == 0) {
                if (!c->msg_active) fail(c, "continuation outside a message");
            } else if (c->opcode >= 8) {
                if (len > 125) fail(c, "long control frame");
                c->ctl_len = 0;
            } else fail(c, "reserved opcode");
            if (len == 0) frame_end(c);
            continue;
        }
        size_t k = c->pay_left < n ? (size_t)c->pay_left : n;
        if (c->opcode >= 8) { memcpy(c->ctl + c->ctl_len, p, k); c->ctl_len += (int)k; }
        else if (c->msg_deflated) inflate_compare(c, p, k);
        else {
            if (c->msg_pos + k > opt.size || memcmp(payload + c->msg_pos, p, k) != 0) fail(c, "echo differs");
            c->msg_pos += k;
        }
        p += k; n -= k; c->pay_left -= k;
        if (c->pay_left == 0) frame_end(c);
    }
}

static void read_raw(Conn *c, const uint8_t *p, size_t n) {
    while (n > 0) {
        size_t k = flen - c->recv_off;
        if (k > n) k = n;
        if (memcmp(frame + c->recv_off, p, k) != 0) fail(c, "raw echo differs");
        c->recv_off += k; p += k; n -= k;
        if (c->recv_off == flen) { c->recv_off = 0; message_done(c); }
    }
}

static int is_handshake_mode, is_idle_mode;
static uint64_t open_count;
static Conn **conns;

static void handshake_done(Conn *c) {
    if (is_handshake_mode) {
        send_close(c);
        return;
    }
    c->state = OPEN;
    open_count++;
    if (!is_idle_mode) start_streaming(c);
}

static void start_streaming(Conn *c) {
    c->sent_at = now_seconds();
    c->to_send = (uint64_t)opt.inflight;
    c->inflight = opt.inflight;
    pump_send(c);
}

static void consume(Conn *c, const uint8_t *p, size_t n) {
    if (c->state == HANDSHAKING) {
        size_t used = 0;
        read_handshake(c, p, n, &used);
        p += used; n -= used;
    }
    if (n == 0 || c->state == DONE) return;
    if (c->state == CLOSING && !opt.raw && is_handshake_mode) { read_frames(c, p, n); return; }
    if (opt.raw) { if (c->state == CLOSING && is_handshake_mode) return; read_raw(c, p, n); }
    else read_frames(c, p, n);
    if (c->state == OPEN && c->to_send > 0) pump_send(c);
}

/* Plain: one recv(2) per readiness (level-triggered epoll reports the rest). TLS: SSL_read until
 * WANT_READ, since records that OpenSSL already pulled into its buffer (read-ahead) are no
 * readiness that epoll would ever report again; against a server that keeps sending that may never
 * come, so after a budget the connection is marked (tls_more) and the main loop comes back to it
 * without sleeping in epoll_wait. */
static void on_readable(Conn *c) {
    static uint8_t buf[256 * 1024];
    size_t budget = 1 << 20;
    if (c->tls_more) { c->tls_more = 0; tls_backlog--; }
    for (;;) {
        ssize_t r = io_recv(c, buf, sizeof buf);
        if (r < 0) { if (errno == EAGAIN) return; if (c->state == CLOSING) { close_conn(c); return; } fail(c, "recv"); }
        if (r == 0) {
            if (c->state == CLOSING) { close_conn(c); return; }
            fail(c, "server closed the connection");
        }
        bytes_received += (uint64_t)r;
        consume(c, buf, (size_t)r);
        if (!c->ssl || c->state == DONE) return;
        if ((size_t)r >= budget) {
            if (SSL_has_pending(c->ssl)) { c->tls_more = 1; tls_backlog++; }
            return;
        }
        budget -= (size_t)r;
    }
}

static uint64_t read_mallocs(void) { return mallocs ? __atomic_load_n(mallocs, __ATOMIC_RELAXED) : 0; }

int main(int argc, char **argv) {
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : "";
        if (!strcmp(a, "--raw")) { opt.raw = 1; continue; }
        if (!strcmp(a, "--deflate")) { opt.deflate = 1; continue; }
        if (!strcmp(a, "--tls")) { opt.tls = 1; continue; }
        i++;
        if (!strcmp(a, "--host")) opt.host = v;
        else if (!strcmp(a, "--port")) opt.port = atoi(v);
        else if (!strcmp(a, "--mode")) opt.mode = v;
        else if (!strcmp(a, "--conns")) opt.conns = atoi(v);
        else if (!strcmp(a, "--inflight")) opt.inflight = atol(v);
        else if (!strcmp(a, "--size")) opt.size = (size_t)atol(v);
        else if (!strcmp(a, "--kind")) opt.kind = v;
        else if (!strcmp(a, "--payload")) opt.payload_file = v;
        else if (!strcmp(a, "--duration")) opt.duration = atof(v);
        else if (!strcmp(a, "--warmup")) opt.warmup = atof(v);
        else if (!strcmp(a, "--malloc-file")) opt.malloc_file = v;
        else if (!strcmp(a, "--ca")) opt.ca = v;
        else { fprintf(stderr, "unknown option %s\n", a); return 2; }
    }
    if (opt.tls && opt.raw) { fprintf(stderr, "loadgen: --tls and --raw exclude each other\n"); return 2; }
    if (opt.tls) tls_setup();
    is_handshake_mode = !strcmp(opt.mode, "handshake");
    is_idle_mode = !strcmp(opt.mode, "idle");
    if (opt.malloc_file) {
        int fd = open(opt.malloc_file, O_RDONLY);
        if (fd < 0) { perror(opt.malloc_file); return 2; }
        mallocs = mmap(NULL, 32, PROT_READ, MAP_SHARED, fd, 0);
        close(fd);
    }
    load_payload();
    build_frame();
    if (opt.inflight == 1 && !strcmp(opt.mode, "stream")) { rtt_cap = 4u << 20; rtts = malloc(rtt_cap * sizeof *rtts); }
    request_len = (size_t)snprintf(request, sizeof request,
        "GET / HTTP/1.1\r\nHost: %s:%d\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n%s\r\n",
        opt.host, opt.port, opt.deflate ? "Sec-WebSocket-Extensions: permessage-deflate; client_no_context_takeover\r\n" : "");
    ep = epoll_create1(EPOLL_CLOEXEC);
    conns = calloc((size_t)opt.conns, sizeof *conns);
    for (int i = 0; i < opt.conns; i++) conns[i] = open_conn(i);

    double start = now_seconds(), window_start = 0, window_end = 0;
    double measure_at = start + opt.warmup, stop_at = measure_at + opt.duration, give_up = 0;
    uint64_t allocs_start = 0, allocs_end = 0;
    int ready_printed = 0;
    struct epoll_event events[512];
    for (;;) {
        double t = now_seconds();
        if (!measuring && !stopping && t >= measure_at) {
            measuring = 1; window_start = t; window_messages = 0; allocs_start = read_mallocs();
        }
        if (measuring && t >= stop_at) {
            measuring = 0; stopping = 1; window_end = t; allocs_end = read_mallocs();
            give_up = t + 10;
            for (int i = 0; i < opt.conns; i++) {
                Conn *c = conns[i];
                if (c->state == OPEN && (c->inflight == 0 || is_idle_mode)) send_close(c);
                else if (c->state == CONNECTING || c->state == TLS_CONNECTING || c->state == HANDSHAKING) { close_conn(c); }
            }
        }
        if (is_idle_mode && !ready_printed && open_count == (uint64_t)opt.conns) {
            printf("{\"ready\": true}\n"); fflush(stdout); ready_printed = 1;
        }
        if (stopping) {
            int live = 0;
            for (int i = 0; i < opt.conns; i++) live += conns[i]->state != DONE;
            if (live == 0) break;
            if (t > give_up) { fprintf(stderr, "loadgen: %d connections did not finish\n", live); errors++; break; }
        }
        int n = epoll_wait(ep, events, 512, tls_backlog ? 0 : 5);
        for (int i = 0; i < n; i++) {
            Conn *c = events[i].data.ptr;
            if (c->state == DONE) continue;
            if (c->state == CONNECTING && (events[i].events & (EPOLLOUT | EPOLLERR | EPOLLHUP))) {
                int err = 0; socklen_t len = sizeof err;
                getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &len);
                if (err) fail(c, "connect failed");
                if (tls_context) { tls_start(c); tls_step(c); }
                else send_request(c);
                continue;
            }
            if (c->state == TLS_CONNECTING) { tls_step(c); continue; }
            if (events[i].events & EPOLLOUT) pump_send(c);
            if (events[i].events & (EPOLLIN | EPOLLHUP | EPOLLERR)) on_readable(c);
            if (is_handshake_mode && c->state == DONE) {
                if (measuring) window_messages++;
                messages++;
                int slot = c->slot;
                free(c);
                conns[slot] = stopping ? NULL : open_conn(slot);
                if (!conns[slot]) { conns[slot] = calloc(1, sizeof(Conn)); conns[slot]->state = DONE; }
            }
        }
        if (tls_backlog)
            for (int i = 0; i < opt.conns; i++)
                if (conns[i]->tls_more && conns[i]->state != DONE) on_readable(conns[i]);
    }
    double seconds = window_end - window_start;
    printf("{\"messages\": %llu, \"seconds\": %.6f, \"total\": %llu, \"bytes\": %llu, \"errors\": %llu",
           (unsigned long long)window_messages, seconds, (unsigned long long)messages,
           (unsigned long long)bytes_received, (unsigned long long)errors);
    if (mallocs) printf(", \"allocs\": %llu", (unsigned long long)(allocs_end - allocs_start));
    if (tls_negotiated[0]) printf(", \"tls\": \"%s\"", tls_negotiated);
    if (rtt_count > 0) {
        qsort(rtts, rtt_count, sizeof *rtts, compare_float);
        printf(", \"rtt_p50_us\": %.1f, \"rtt_p99_us\": %.1f", rtts[rtt_count / 2], rtts[(size_t)(rtt_count * 0.99)]);
    }
    printf("}\n");
    return errors ? 1 : 0;
}
