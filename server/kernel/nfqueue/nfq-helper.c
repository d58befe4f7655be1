/* NFQUEUE reader for the nfqueue backend: packets out on stdout as hex lines, verdicts in on stdin. */
/*
 * Usage: nfq-helper <queue-num>
 * Prints "READY\n" once bound, then one line per packet:
 *   P <id> <indev> <outdev> <mark> <hw-protocol> <src-mac-hex or -> <packet-hex>
 * (ifindexes 0 when absent; the packet starts at L3). Reads "<id> A" or "<id> D" lines and applies
 * them as NF_ACCEPT / NF_DROP. Exits when stdin closes. The queue fails open (a full queue
 * accepts), like a Lunatik hook that errors.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <poll.h>
#include <arpa/inet.h>
#include <sys/socket.h>
#include <linux/netfilter.h>
#include <libnetfilter_queue/libnetfilter_queue.h>

static const char hexdigits[] = "0123456789abcdef";

static void put_hex(const unsigned char *p, int len)
{
	for (int i = 0; i < len; i++) {
		putchar(hexdigits[p[i] >> 4]);
		putchar(hexdigits[p[i] & 15]);
	}
}

static int on_packet(struct nfq_q_handle *qh, struct nfgenmsg *msg, struct nfq_data *nfa, void *data)
{
	(void)qh; (void)msg; (void)data;
	struct nfqnl_msg_packet_hdr *ph = nfq_get_msg_packet_hdr(nfa);
	struct nfqnl_msg_packet_hw *hw = nfq_get_packet_hw(nfa);
	unsigned char *payload;
	int len = nfq_get_payload(nfa, &payload);

	if (!ph)
		return 0;
	printf("P %u %u %u %u %u ", ntohl(ph->packet_id), nfq_get_indev(nfa), nfq_get_outdev(nfa),
	       nfq_get_nfmark(nfa), ntohs(ph->hw_protocol));
	if (hw && ntohs(hw->hw_addrlen) > 0 && ntohs(hw->hw_addrlen) <= 8)
		put_hex(hw->hw_addr, ntohs(hw->hw_addrlen));
	else
		putchar('-');
	putchar(' ');
	if (len > 0)
		put_hex(payload, len);
	putchar('\n');
	fflush(stdout);
	return 0;
}

/* Applies every complete verdict line in buf; returns how many bytes were consumed. */
static size_t apply_verdicts(struct nfq_q_handle *qh, char *buf, size_t n)
{
	size_t start = 0;
	for (size_t i = 0; i < n; i++) {
		if (buf[i] != '\n')
			continue;
		buf[i] = '\0';
		unsigned long id;
		char v;
		if (sscanf(buf + start, "%lu %c", &id, &v) == 2)
			nfq_set_verdict(qh, (unsigned)id, v == 'D' ? NF_DROP : NF_ACCEPT, 0, NULL);
		start = i + 1;
	}
	return start;
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: nfq-helper <queue-num>\n");
		return 2;
	}
	int num = atoi(argv[1]);
	struct nfq_handle *h = nfq_open();
	if (!h) {
		perror("nfq_open");
		return 1;
	}
	struct nfq_q_handle *qh = nfq_create_queue(h, (unsigned short)num, on_packet, NULL);
	if (!qh) {
		fprintf(stderr, "nfq_create_queue %d: %s\n", num, strerror(errno));
		return 1;
	}
	if (nfq_set_mode(qh, NFQNL_COPY_PACKET, 0xffff) < 0) {
		perror("nfq_set_mode");
		return 1;
	}
	nfq_set_queue_maxlen(qh, 4096);
	nfq_set_queue_flags(qh, NFQA_CFG_F_FAIL_OPEN, NFQA_CFG_F_FAIL_OPEN);

	int fd = nfq_fd(h);
	/* A larger receive buffer keeps bursts from overflowing into ENOBUFS. */
	int rcvbuf = 4 << 20;
	setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);
	printf("READY\n");
	fflush(stdout);

	static char pkt[0x10000 + 4096];
	static char in[65536];
	size_t have = 0;
	struct pollfd fds[2] = { { .fd = fd, .events = POLLIN }, { .fd = 0, .events = POLLIN } };
	for (;;) {
		if (poll(fds, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			perror("poll");
			return 1;
		}
		if (fds[0].revents & POLLIN) {
			ssize_t r = recv(fd, pkt, sizeof pkt, 0);
			if (r >= 0)
				nfq_handle_packet(h, pkt, (int)r);
			else if (errno != ENOBUFS && errno != EINTR) {
				perror("recv");
				return 1;
			}
		}
		if (fds[1].revents & (POLLIN | POLLHUP)) {
			ssize_t r = read(0, in + have, sizeof in - have);
			if (r <= 0)
				break;
			have += (size_t)r;
			size_t used = apply_verdicts(qh, in, have);
			memmove(in, in + used, have - used);
			have -= used;
			if (have == sizeof in)
				have = 0; /* a line this long is garbage; drop it rather than stall */
		}
	}
	nfq_destroy_queue(qh);
	nfq_close(h);
	return 0;
}
