// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Test tool of tests/netns/live.sh (not product code). One binary, several modes, so the
 * live test needs nothing but iproute2 and this file:
 *
 *   attach IFNAME [MAX_SECONDS]
 *       Load the data plane in live inline mode, attach rp_xdp (native, else generic with a
 *       warning) and rp_tc_egress (clsact egress) on IFNAME, print "ready xdp=drv|skb", then
 *       obey lines on stdin:
 *         dump            counters of service 0 as "key value" lines, then "end"
 *         dump PATH       the same into PATH (written to PATH.tmp, then renamed)
 *         malformed pass|drop   the verdict of malformed frames
 *         quit            (or EOF, SIGINT, SIGTERM, MAX_SECONDS elapsed) detach both, exit
 *       SIGUSR1 dumps to stdout. Nothing is pinned: the program lives as long as the
 *       process, so it works inside `ip netns exec`, where /sys/fs/bpf is not mounted.
 *   attach send-raw IFNAME HEX
 *       Send one Ethernet frame (hex digits, spaces and colons ignored) on IFNAME.
 *   attach ping ADDR COUNT
 *       COUNT ICMP or ICMPv6 echo requests, one at a time, 1 s wait for each reply.
 *   attach tcp-serve ADDR PORT RECVFILE SENDFILE
 *       Accept one connection, read to EOF into RECVFILE, send SENDFILE, close.
 *   attach tcp-client ADDR PORT SENDFILE RECVFILE
 *       Connect, send SENDFILE, shut down writing, read to EOF into RECVFILE.
 *   attach udp-echo ADDR PORT COUNT
 *       Echo COUNT datagrams back to their sender.
 *   attach udp-client ADDR PORT COUNT
 *       Send COUNT datagrams, each waiting 1 s for its echo.
 *
 * The servers print "listening" once bound. Every mode reports "key value" lines and exits
 * 0 on success, 1 on failure; every wait is bounded (socket timeouts, MAX_SECONDS).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/if_link.h>
#include <linux/if_packet.h>
#include <linux/tcp.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netinet/icmp6.h>
#include <netinet/ip_icmp.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "rempart/abi.h"
#include "config.h"
#include "dataplane.h"
#include "reasons.h"

#define IO_TIMEOUT_S 10

static volatile sig_atomic_t want_quit, want_dump;

static void on_signal(int sig)
{
	if (sig == SIGUSR1)
		want_dump = 1;
	else
		want_quit = 1;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int parse_uint(const char *s, unsigned long max, unsigned long *out)
{
	char *end;

	errno = 0;
	*out = strtoul(s, &end, 10);
	if (errno || end == s || *end || *out > max) {
		fprintf(stderr, "attach: bad number '%s'\n", s);
		return -1;
	}
	return 0;
}

/* ---- attach mode ---- */

static void print_counters(FILE *f, const struct rp_svc_counters *c)
{
	static const char *const pb[RP_PB_MAX] = {
		[RP_PB_NOT_IP] = "not_ip", [RP_PB_IPV4] = "ipv4",   [RP_PB_IPV6] = "ipv6",
		[RP_PB_TCP] = "tcp",	   [RP_PB_UDP] = "udp",	    [RP_PB_ICMP] = "icmp",
		[RP_PB_ICMP6] = "icmp6",   [RP_PB_OTHER_L4] = "other_l4",
		[RP_PB_FRAG_LATER] = "frag_later",
	};

	for (unsigned int d = 0; d < RP_DIR_MAX; d++) {
		fprintf(f, "%s.packets %llu\n", rp_dir_name(d), (unsigned long long)c->dir[d].packets);
		fprintf(f, "%s.bytes %llu\n", rp_dir_name(d), (unsigned long long)c->dir[d].bytes);
	}
	for (unsigned int p = 0; p < RP_PB_MAX; p++) {
		fprintf(f, "%s %llu\n", pb[p], (unsigned long long)c->proto[p].packets);
		fprintf(f, "%s.bytes %llu\n", pb[p], (unsigned long long)c->proto[p].bytes);
	}
	for (unsigned int v = 0; v < RP_V_MAX; v++)
		fprintf(f, "%s %llu\n", rp_verdict_name(v), (unsigned long long)c->verdict[v].packets);
	fprintf(f, "syn %llu\n", (unsigned long long)c->syn);
	/* Every reason that counted something: "reason.ip4_bad_version 1". */
	for (unsigned int r = 0; r < RP_REASON_MAX; r++)
		if (c->reason[r].packets)
			fprintf(f, "reason.%s %llu\n", rp_reason_name(r),
				(unsigned long long)c->reason[r].packets);
	fprintf(f, "end\n");
}

static int dump(struct rp_dp *dp, const char *path)
{
	struct rp_svc_counters sum;
	char tmp[4096];
	FILE *f;
	int err;

	err = rp_dp_read_counters(dp, 0, &sum);
	if (err) {
		fprintf(stderr, "attach: cannot read the counters: %s\n", strerror(-err));
		return -1;
	}
	if (!path) {
		print_counters(stdout, &sum);
		fflush(stdout);
		return 0;
	}
	if (snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= (int)sizeof(tmp))
		return -1;
	f = fopen(tmp, "w");
	if (!f) {
		fprintf(stderr, "attach: %s: %s\n", tmp, strerror(errno));
		return -1;
	}
	print_counters(f, &sum);
	if (fclose(f) || rename(tmp, path)) {
		fprintf(stderr, "attach: %s: %s\n", path, strerror(errno));
		return -1;
	}
	return 0;
}

/* One command line. Returns 1 to quit. */
static int command(struct rp_dp *dp, struct rp_config *cfg, char *line)
{
	char *arg = strchr(line, ' ');

	if (arg)
		*arg++ = '\0';
	if (!strcmp(line, "quit"))
		return 1;
	if (!strcmp(line, "dump")) {
		dump(dp, arg);
	} else if (!strcmp(line, "malformed") && arg &&
		   (!strcmp(arg, "pass") || !strcmp(arg, "drop"))) {
		cfg->malformed_verdict = !strcmp(arg, "pass") ? RP_V_PASS : RP_V_DROP;
		if (rp_dp_apply_config(dp, cfg))
			fprintf(stderr, "attach: cannot apply the configuration\n");
		else
			printf("malformed %s\n", arg);
	} else if (line[0]) {
		fprintf(stderr, "attach: unknown command '%s'\n", line);
	}
	fflush(stdout);
	return 0;
}

static int run_attach(const char *ifname, unsigned long max_s)
{
	DECLARE_LIBBPF_OPTS(bpf_tc_hook, hook, .attach_point = BPF_TC_EGRESS);
	DECLARE_LIBBPF_OPTS(bpf_tc_opts, tc_opts);
	struct sigaction sa = { .sa_handler = on_signal };
	bool hook_created = false, tc_attached = false;
	__u32 xdp_flags = XDP_FLAGS_DRV_MODE;
	char buf[4096];
	size_t have = 0;
	struct rp_config cfg;
	struct rp_dp dp;
	double deadline;
	int ifindex, err, ret = 1;

	ifindex = if_nametoindex(ifname);
	if (!ifindex) {
		fprintf(stderr, "attach: no interface %s\n", ifname);
		return 1;
	}
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sigaction(SIGUSR1, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	if (rp_dp_open(&dp, RP_DP_INLINE))
		return 1;
	rp_config_defaults(&cfg);
	if (rp_dp_apply_config(&dp, &cfg))
		goto out_close;

	err = bpf_xdp_attach(ifindex, dp.xdp_fd, xdp_flags, NULL);
	if (err) {
		fprintf(stderr, "attach: warning: native XDP on %s failed (%s); using generic (skb) mode\n",
			ifname, strerror(-err));
		xdp_flags = XDP_FLAGS_SKB_MODE;
		err = bpf_xdp_attach(ifindex, dp.xdp_fd, xdp_flags, NULL);
		if (err) {
			fprintf(stderr, "attach: cannot attach XDP on %s: %s\n", ifname, strerror(-err));
			goto out_close;
		}
	}

	hook.ifindex = ifindex;
	err = bpf_tc_hook_create(&hook);
	if (err && err != -EEXIST) {
		fprintf(stderr, "attach: cannot create the clsact hook on %s: %s\n", ifname,
			strerror(-err));
		goto out_xdp;
	}
	hook_created = !err;
	tc_opts.prog_fd = dp.tc_fd;
	err = bpf_tc_attach(&hook, &tc_opts);
	if (err) {
		fprintf(stderr, "attach: cannot attach tc egress on %s: %s\n", ifname, strerror(-err));
		goto out_tc;
	}
	tc_attached = true;

	printf("ready xdp=%s\n", xdp_flags == XDP_FLAGS_DRV_MODE ? "drv" : "skb");
	fflush(stdout);

	deadline = now_s() + (double)max_s;
	while (!want_quit) {
		struct pollfd pfd = { .fd = 0, .events = POLLIN };
		ssize_t n;
		char *nl;

		if (want_dump) {
			want_dump = 0;
			dump(&dp, NULL);
		}
		if (now_s() > deadline) {
			fprintf(stderr, "attach: %lu s elapsed, detaching\n", max_s);
			break;
		}
		n = poll(&pfd, 1, 200);
		if (n < 0 && errno != EINTR)
			break;
		if (n <= 0)
			continue;
		n = read(0, buf + have, sizeof(buf) - 1 - have);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break; /* EOF or error: quit */
		have += n;
		buf[have] = '\0';
		while ((nl = strchr(buf, '\n'))) {
			size_t len = nl - buf + 1;

			*nl = '\0';
			if (command(&dp, &cfg, buf))
				want_quit = 1;
			memmove(buf, buf + len, have - len + 1);
			have -= len;
		}
		if (have == sizeof(buf) - 1)
			have = 0; /* an overlong line: forget it */
	}
	ret = 0;

out_tc:
	if (tc_attached) {
		tc_opts.flags = tc_opts.prog_fd = tc_opts.prog_id = 0;
		err = bpf_tc_detach(&hook, &tc_opts);
		if (err) {
			fprintf(stderr, "attach: cannot detach tc: %s\n", strerror(-err));
			ret = 1;
		}
	}
	if (hook_created) {
		hook.attach_point = BPF_TC_INGRESS | BPF_TC_EGRESS;
		bpf_tc_hook_destroy(&hook);
	}
out_xdp:
	err = bpf_xdp_detach(ifindex, xdp_flags, NULL);
	if (err) {
		fprintf(stderr, "attach: cannot detach XDP: %s\n", strerror(-err));
		ret = 1;
	}
	if (!ret) {
		printf("detached\n");
		fflush(stdout);
	}
out_close:
	rp_config_free(&cfg);
	rp_dp_close(&dp);
	return ret;
}

/* ---- send-raw ---- */

static int run_send_raw(const char *ifname, const char *hex)
{
	unsigned char frame[2048];
	size_t len = 0;
	int hi = -1, fd, ifindex;
	struct sockaddr_ll sll = { .sll_family = AF_PACKET };

	for (const char *p = hex; *p; p++) {
		int v;

		if (*p == ' ' || *p == ':' || *p == '\n' || *p == '\t')
			continue;
		if (*p >= '0' && *p <= '9')
			v = *p - '0';
		else if (*p >= 'a' && *p <= 'f')
			v = *p - 'a' + 10;
		else if (*p >= 'A' && *p <= 'F')
			v = *p - 'A' + 10;
		else {
			fprintf(stderr, "attach: bad hex digit '%c'\n", *p);
			return 1;
		}
		if (hi < 0) {
			hi = v;
			continue;
		}
		if (len == sizeof(frame)) {
			fprintf(stderr, "attach: frame too long\n");
			return 1;
		}
		frame[len++] = (unsigned char)(hi << 4 | v);
		hi = -1;
	}
	if (hi >= 0 || len < 14) {
		fprintf(stderr, "attach: need an even number of hex digits, at least 14 bytes\n");
		return 1;
	}
	ifindex = if_nametoindex(ifname);
	if (!ifindex) {
		fprintf(stderr, "attach: no interface %s\n", ifname);
		return 1;
	}
	fd = socket(AF_PACKET, SOCK_RAW, 0); /* protocol 0: send only, receive nothing */
	if (fd < 0) {
		perror("attach: AF_PACKET socket");
		return 1;
	}
	sll.sll_ifindex = ifindex;
	sll.sll_halen = 6;
	memcpy(sll.sll_addr, frame, 6);
	if (sendto(fd, frame, len, 0, (struct sockaddr *)&sll, sizeof(sll)) != (ssize_t)len) {
		perror("attach: sendto");
		close(fd);
		return 1;
	}
	close(fd);
	printf("sent %zu\n", len);
	return 0;
}

/* ---- sockets ---- */

union addr {
	struct sockaddr sa;
	struct sockaddr_in in4;
	struct sockaddr_in6 in6;
};

static int parse_addr(const char *s, unsigned long port, union addr *a, socklen_t *len)
{
	memset(a, 0, sizeof(*a));
	if (inet_pton(AF_INET, s, &a->in4.sin_addr) == 1) {
		a->in4.sin_family = AF_INET;
		a->in4.sin_port = htons(port);
		*len = sizeof(a->in4);
		return 0;
	}
	if (inet_pton(AF_INET6, s, &a->in6.sin6_addr) == 1) {
		a->in6.sin6_family = AF_INET6;
		a->in6.sin6_port = htons(port);
		*len = sizeof(a->in6);
		return 0;
	}
	fprintf(stderr, "attach: bad address '%s'\n", s);
	return -1;
}

static void set_timeouts(int fd, int seconds)
{
	struct timeval tv = { .tv_sec = seconds };

	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
}

static uint16_t csum16(const void *buf, size_t len)
{
	const unsigned char *p = buf;
	uint32_t sum = 0;

	for (; len > 1; p += 2, len -= 2)
		sum += (uint32_t)p[0] << 8 | p[1];
	if (len)
		sum += (uint32_t)p[0] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return htons((uint16_t)~sum);
}

/* ---- ping ---- */

static int run_ping(const char *addr, unsigned long count)
{
	union addr dst;
	socklen_t dlen;
	uint16_t id = getpid() & 0xffff;
	unsigned long received = 0;
	int fd, v6;

	if (parse_addr(addr, 0, &dst, &dlen))
		return 1;
	v6 = dst.sa.sa_family == AF_INET6;
	fd = socket(dst.sa.sa_family, SOCK_RAW, v6 ? IPPROTO_ICMPV6 : IPPROTO_ICMP);
	if (fd < 0) {
		perror("attach: raw ICMP socket");
		return 1;
	}
	for (unsigned long seq = 1; seq <= count; seq++) {
		unsigned char pkt[64] = {}, rx[1500];
		struct icmphdr *ih = (struct icmphdr *)pkt; /* same first 8 bytes as icmp6_hdr */
		double until;

		ih->type = v6 ? ICMP6_ECHO_REQUEST : ICMP_ECHO;
		ih->un.echo.id = htons(id);
		ih->un.echo.sequence = htons((uint16_t)seq);
		memcpy(pkt + 8, "rempart live ping", 17);
		if (!v6) /* the kernel fills the ICMPv6 checksum itself */
			ih->checksum = csum16(pkt, sizeof(pkt));
		if (sendto(fd, pkt, sizeof(pkt), 0, &dst.sa, dlen) != (ssize_t)sizeof(pkt)) {
			perror("attach: sendto");
			continue;
		}
		until = now_s() + 1.0;
		while (now_s() < until) {
			struct pollfd pfd = { .fd = fd, .events = POLLIN };
			const struct icmphdr *r;
			ssize_t n;
			size_t off = 0;

			if (poll(&pfd, 1, (int)((until - now_s()) * 1000) + 1) <= 0)
				break;
			n = recv(fd, rx, sizeof(rx), 0);
			if (n <= 0)
				break;
			if (!v6) /* IPv4 raw sockets deliver the IP header too */
				off = (rx[0] & 0x0f) * 4;
			if ((size_t)n < off + 8)
				continue;
			r = (const struct icmphdr *)(rx + off);
			if (r->type == (v6 ? ICMP6_ECHO_REPLY : ICMP_ECHOREPLY) &&
			    r->un.echo.id == htons(id) && r->un.echo.sequence == htons((uint16_t)seq)) {
				received++;
				break;
			}
		}
	}
	close(fd);
	printf("sent %lu\nreceived %lu\n", count, received);
	return received == count ? 0 : 1;
}

/* ---- TCP ---- */

static int tcp_report(int fd, const char *who)
{
	struct tcp_info ti;
	socklen_t len = sizeof(ti);

	memset(&ti, 0, sizeof(ti));
	if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &len)) {
		perror("attach: TCP_INFO");
		return -1;
	}
	printf("%s.segs_out %u\n%s.segs_in %u\n%s.snd_mss %u\n%s.total_retrans %u\n", who,
	       ti.tcpi_segs_out, who, ti.tcpi_segs_in, who, ti.tcpi_snd_mss, who,
	       ti.tcpi_total_retrans);
	return 0;
}

/* Read to EOF into path. Returns bytes or -1. */
static long long recv_file(int fd, const char *path)
{
	char buf[65536];
	long long total = 0;
	int out = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);

	if (out < 0) {
		fprintf(stderr, "attach: %s: %s\n", path, strerror(errno));
		return -1;
	}
	for (;;) {
		ssize_t n = recv(fd, buf, sizeof(buf), 0);

		if (n == 0)
			break;
		if (n < 0) {
			perror("attach: recv");
			total = -1;
			break;
		}
		if (write(out, buf, n) != n) {
			perror("attach: write");
			total = -1;
			break;
		}
		total += n;
	}
	close(out);
	return total;
}

static long long send_file(int fd, const char *path)
{
	char buf[65536];
	long long total = 0;
	int in = open(path, O_RDONLY);

	if (in < 0) {
		fprintf(stderr, "attach: %s: %s\n", path, strerror(errno));
		return -1;
	}
	for (;;) {
		ssize_t n = read(in, buf, sizeof(buf)), off = 0;

		if (n < 0) {
			perror("attach: read");
			total = -1;
			break;
		}
		if (n == 0)
			break;
		while (off < n) {
			ssize_t w = send(fd, buf + off, n - off, 0);

			if (w <= 0) {
				perror("attach: send");
				close(in);
				return -1;
			}
			off += w;
		}
		total += n;
	}
	close(in);
	return total;
}

static int run_tcp_serve(const char *addr, unsigned long port, const char *rx, const char *tx)
{
	union addr a;
	socklen_t alen;
	int ls, fd, one = 1, ret = 1;
	long long got, sent;
	struct pollfd pfd;

	if (parse_addr(addr, port, &a, &alen))
		return 1;
	ls = socket(a.sa.sa_family, SOCK_STREAM, 0);
	if (ls < 0 || setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    bind(ls, &a.sa, alen) || listen(ls, 1)) {
		perror("attach: tcp listen");
		return 1;
	}
	printf("listening\n");
	fflush(stdout);
	pfd = (struct pollfd){ .fd = ls, .events = POLLIN };
	if (poll(&pfd, 1, IO_TIMEOUT_S * 1000) <= 0) {
		fprintf(stderr, "attach: no connection within %d s\n", IO_TIMEOUT_S);
		close(ls);
		return 1;
	}
	fd = accept(ls, NULL, NULL);
	close(ls);
	if (fd < 0) {
		perror("attach: accept");
		return 1;
	}
	set_timeouts(fd, IO_TIMEOUT_S);
	got = recv_file(fd, rx);
	sent = got < 0 ? -1 : send_file(fd, tx);
	if (got >= 0 && sent >= 0) {
		char c;

		shutdown(fd, SHUT_WR);
		/* Wait for the client's close, so every segment of ours has left. */
		if (recv(fd, &c, 1, 0) == 0 && !tcp_report(fd, "server")) {
			printf("server.received %lld\nserver.sent %lld\n", got, sent);
			ret = 0;
		}
	}
	close(fd);
	return ret;
}

static int run_tcp_client(const char *addr, unsigned long port, const char *tx, const char *rx)
{
	union addr a;
	socklen_t alen;
	int fd, ret = 1;
	long long got, sent;

	if (parse_addr(addr, port, &a, &alen))
		return 1;
	fd = socket(a.sa.sa_family, SOCK_STREAM, 0);
	if (fd < 0) {
		perror("attach: socket");
		return 1;
	}
	set_timeouts(fd, IO_TIMEOUT_S);
	if (connect(fd, &a.sa, alen)) {
		perror("attach: connect");
		close(fd);
		return 1;
	}
	sent = send_file(fd, tx);
	if (sent >= 0 && !shutdown(fd, SHUT_WR)) {
		got = recv_file(fd, rx);
		if (got >= 0 && !tcp_report(fd, "client")) {
			printf("client.sent %lld\nclient.received %lld\n", sent, got);
			ret = 0;
		}
	}
	close(fd);
	return ret;
}

/* ---- UDP ---- */

static int run_udp_echo(const char *addr, unsigned long port, unsigned long count)
{
	union addr a, peer;
	socklen_t alen, plen;
	unsigned long echoed = 0;
	int fd;

	if (parse_addr(addr, port, &a, &alen))
		return 1;
	fd = socket(a.sa.sa_family, SOCK_DGRAM, 0);
	if (fd < 0 || bind(fd, &a.sa, alen)) {
		perror("attach: udp bind");
		return 1;
	}
	set_timeouts(fd, IO_TIMEOUT_S);
	printf("listening\n");
	fflush(stdout);
	while (echoed < count) {
		char buf[2048];
		ssize_t n;

		plen = sizeof(peer);
		n = recvfrom(fd, buf, sizeof(buf), 0, &peer.sa, &plen);
		if (n < 0) {
			perror("attach: recvfrom");
			break;
		}
		if (sendto(fd, buf, n, 0, &peer.sa, plen) != n) {
			perror("attach: sendto");
			break;
		}
		echoed++;
	}
	close(fd);
	printf("echoed %lu\n", echoed);
	return echoed == count ? 0 : 1;
}

static int run_udp_client(const char *addr, unsigned long port, unsigned long count)
{
	union addr a;
	socklen_t alen;
	unsigned long matched = 0;
	int fd;

	if (parse_addr(addr, port, &a, &alen))
		return 1;
	fd = socket(a.sa.sa_family, SOCK_DGRAM, 0);
	if (fd < 0 || connect(fd, &a.sa, alen)) {
		perror("attach: udp connect");
		return 1;
	}
	set_timeouts(fd, 1);
	for (unsigned long i = 0; i < count; i++) {
		char msg[64], buf[2048];
		int len = snprintf(msg, sizeof(msg), "rempart live udp %lu", i);
		ssize_t n;

		if (send(fd, msg, len, 0) != len) {
			perror("attach: send");
			continue;
		}
		n = recv(fd, buf, sizeof(buf), 0);
		if (n == len && !memcmp(buf, msg, len))
			matched++;
	}
	close(fd);
	printf("sent %lu\nreceived %lu\n", count, matched);
	return matched == count ? 0 : 1;
}

static void usage(void)
{
	fprintf(stderr,
		"usage: attach IFNAME [MAX_SECONDS]\n"
		"       attach send-raw IFNAME HEX\n"
		"       attach ping ADDR COUNT\n"
		"       attach tcp-serve ADDR PORT RECVFILE SENDFILE\n"
		"       attach tcp-client ADDR PORT SENDFILE RECVFILE\n"
		"       attach udp-echo ADDR PORT COUNT\n"
		"       attach udp-client ADDR PORT COUNT\n");
}

int main(int argc, char **argv)
{
	static const char *const cmds[] = { "send-raw", "ping", "tcp-serve", "tcp-client",
					    "udp-echo", "udp-client" };
	const char *cmd = argc > 1 ? argv[1] : "";
	unsigned long n1 = 0, n2 = 0;
	bool is_cmd = false;

	setvbuf(stdout, NULL, _IOLBF, 0);
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		is_cmd |= !strcmp(cmd, cmds[i]);
	if (!is_cmd) {
		if (argc < 2 || argc > 3 || cmd[0] == '-' || strchr(cmd, '/'))
			goto usage;
		n1 = 600;
		if (argc == 3 && parse_uint(argv[2], 86400, &n1))
			return 2;
		return run_attach(cmd, n1);
	}
	if (!strcmp(cmd, "send-raw") && argc == 4)
		return run_send_raw(argv[2], argv[3]);
	if (!strcmp(cmd, "ping") && argc == 4) {
		if (parse_uint(argv[3], 1000, &n1))
			return 2;
		return run_ping(argv[2], n1);
	}
	if (!strcmp(cmd, "tcp-serve") && argc == 6) {
		if (parse_uint(argv[3], 65535, &n1))
			return 2;
		return run_tcp_serve(argv[2], n1, argv[4], argv[5]);
	}
	if (!strcmp(cmd, "tcp-client") && argc == 6) {
		if (parse_uint(argv[3], 65535, &n1))
			return 2;
		return run_tcp_client(argv[2], n1, argv[4], argv[5]);
	}
	if (!strcmp(cmd, "udp-echo") && argc == 5) {
		if (parse_uint(argv[3], 65535, &n1) || parse_uint(argv[4], 100000, &n2))
			return 2;
		return run_udp_echo(argv[2], n1, n2);
	}
	if (!strcmp(cmd, "udp-client") && argc == 5) {
		if (parse_uint(argv[3], 65535, &n1) || parse_uint(argv[4], 100000, &n2))
			return 2;
		return run_udp_client(argv[2], n1, n2);
	}
usage:
	usage();
	return 2;
}
