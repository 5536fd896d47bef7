/* tcp_echo: the floor. A single-threaded, level-triggered epoll TCP echo server: every byte read
 * is written back, with no framing at all. Usage: tcp_echo [port]. Prints "PORT <n>". */
#include "wsutil.h"
#include <sys/epoll.h>

#define BUF (256 * 1024)

typedef struct { int fd; char *pending; size_t len, cap; } Conn;

static void drop(int ep, Conn *c) { epoll_ctl(ep, EPOLL_CTL_DEL, c->fd, NULL); close(c->fd); free(c->pending); free(c); }

int main(int argc, char **argv) {
    int lfd = listen_loopback(argc > 1 ? atoi(argv[1]) : 0);
    int ep = epoll_create1(EPOLL_CLOEXEC);
    struct epoll_event ev = {.events = EPOLLIN, .data.ptr = NULL};
    epoll_ctl(ep, EPOLL_CTL_ADD, lfd, &ev);
    static char buf[BUF];
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
                ssize_t w = send(c->fd, c->pending, c->len, MSG_NOSIGNAL);
                if (w < 0 && errno != EAGAIN) { drop(ep, c); continue; }
                if (w > 0) { memmove(c->pending, c->pending + w, c->len - w); c->len -= w; }
                if (c->len == 0) { struct epoll_event e = {.events = EPOLLIN, .data.ptr = c}; epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &e); }
                continue;
            }
            if (c->len > 0) continue; /* backpressure: read again once the backlog is written */
            ssize_t r = recv(c->fd, buf, BUF, 0);
            if (r == 0 || (r < 0 && errno != EAGAIN)) { drop(ep, c); continue; }
            if (r < 0) continue;
            ssize_t w = send(c->fd, buf, r, MSG_NOSIGNAL);
            if (w < 0 && errno != EAGAIN) { drop(ep, c); continue; }
            if (w < 0) w = 0;
            if (w < r) {
                if (c->cap < (size_t)(r - w)) { c->cap = r - w; c->pending = realloc(c->pending, c->cap); }
                memcpy(c->pending, buf + w, r - w);
                c->len = r - w;
                struct epoll_event e = {.events = EPOLLOUT, .data.ptr = c};
                epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &e);
            }
        }
    }
}
