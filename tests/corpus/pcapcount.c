// SPDX-License-Identifier: BSD-2-Clause
/*
 * pcapcount: `tcpdump -r FILE --count FILTER` for many filters and many files in one process.
 *
 * corpus.sh compares rempart's per-frame classification with tcpdump's filters on ~1,700
 * Ethernet captures and eight filters each: ~14,000 tcpdump processes, which took longer
 * than the replays themselves. This does what tcpdump does for --count -- pcap_compile()
 * with the optimiser on, then the compiled program run on every record libpcap reads --
 * with each filter compiled once. corpus.sh checks on a sample of files, and on every file
 * with a disagreement, that the numbers are those of tcpdump itself.
 *
 * Usage: pcapcount [-f] FILTERS < LIST
 *   FILTERS  lines NAME<TAB>FILTER, compiled for Ethernet (DLT_EN10MB)
 *   LIST     lines PATH<TAB>LIMIT: count matches among the first LIMIT frames only
 *            (-1: all); every frame is still read to count the frames libpcap can read
 * Output, one line per capture:
 *   PATH<TAB>FRAMES<TAB>NAME:COUNT NAME:COUNT ...<TAB>ERROR
 *   FRAMES: the frames libpcap read (up to the damage, if any); ERROR: libpcap's message
 *   when it stopped at damage or could not open the file, "-" otherwise.
 * With -f, also one line per matching frame, before the capture's line:
 *   PATH<TAB>FRAME<TAB>NAME   (frames numbered from 1, as in rempart's verdict CSV)
 * (tcpdump --number cannot give this: with a filter it numbers the matches.)
 * Exit: 0, or 2 when a filter does not compile.
 */
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_FILTERS 32

struct filter {
	char *name;
	struct bpf_program prog;
	unsigned long long count;
};

static char *chomp(char *s)
{
	size_t n = strlen(s);

	while (n && (s[n - 1] == '\n' || s[n - 1] == '\r'))
		s[--n] = 0;
	return s;
}

int main(int argc, char **argv)
{
	static struct filter f[MAX_FILTERS];
	static char line[1 << 16];
	char err[PCAP_ERRBUF_SIZE];
	int nf = 0;
	int frames_out = 0;
	FILE *ff;
	pcap_t *dead;

	if (argc == 3 && !strcmp(argv[1], "-f")) {
		frames_out = 1;
		argv++;
		argc--;
	}
	if (argc != 2) {
		fprintf(stderr, "usage: pcapcount [-f] FILTERS < LIST\n");
		return 2;
	}
	ff = fopen(argv[1], "r");
	if (!ff) {
		perror(argv[1]);
		return 2;
	}
	dead = pcap_open_dead(DLT_EN10MB, 262144);
	while (fgets(line, sizeof(line), ff)) {
		char *tab = strchr(chomp(line), '\t');

		if (!tab || line[0] == '#')
			continue;
		*tab = 0;
		if (nf == MAX_FILTERS) {
			fprintf(stderr, "pcapcount: too many filters\n");
			return 2;
		}
		if (pcap_compile(dead, &f[nf].prog, tab + 1, 1, PCAP_NETMASK_UNKNOWN) < 0) {
			fprintf(stderr, "pcapcount: filter %s: %s\n", line, pcap_geterr(dead));
			return 2;
		}
		f[nf].name = strdup(line);
		nf++;
	}
	fclose(ff);

	while (fgets(line, sizeof(line), stdin)) {
		char *tab = strchr(chomp(line), '\t');
		long long limit = -1, frames = 0;
		const char *msg = "-";
		struct pcap_pkthdr *h;
		const u_char *data;
		pcap_t *p;
		int rc, i;

		if (tab) {
			*tab = 0;
			limit = strtoll(tab + 1, NULL, 10);
		}
		for (i = 0; i < nf; i++)
			f[i].count = 0;
		p = pcap_open_offline(line, err);
		if (!p) {
			msg = err;
		} else if (pcap_datalink(p) != DLT_EN10MB) {
			msg = "not an Ethernet capture";
		} else {
			while ((rc = pcap_next_ex(p, &h, &data)) == 1) {
				frames++;
				if (limit >= 0 && frames > limit)
					continue;
				for (i = 0; i < nf; i++)
					if (pcap_offline_filter(&f[i].prog, h, data)) {
						f[i].count++;
						if (frames_out)
							printf("%s\t%lld\t%s\n", line, frames,
							       f[i].name);
					}
			}
			if (rc == PCAP_ERROR)
				msg = pcap_geterr(p);
		}
		printf("%s\t%lld\t", line, frames);
		for (i = 0; i < nf; i++)
			printf("%s%s:%llu", i ? " " : "", f[i].name, f[i].count);
		printf("\t%s\n", msg);
		fflush(stdout);
		if (p)
			pcap_close(p);
	}
	for (int i = 0; i < nf; i++) {
		pcap_freecode(&f[i].prog);
		free(f[i].name);
	}
	pcap_close(dead);
	return 0;
}
