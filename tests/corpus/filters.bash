# shellcheck shell=bash disable=SC2034
# The tcpdump filters that corpus.sh compares rempart's verdict CSV with (see docs/corpus.md).
# Sourced by corpus.sh, replay-one and frames.
#
# Every counter NAME has a filter for an untagged frame, in an IPv4 half (rp_base4 NAME)
# and an IPv6 half (rp_base6 NAME); rp_filter NAME joins them with `or` into B and wraps B
# so that it also matches behind one or two VLAN tags (0x8100, 0x88a8, 0x9100: the three
# that libpcap's `vlan` accepts, as the parser does):
#
#     B or (vlan and (B or (vlan and B)))
#
# libpcap's `vlan` moves the link-layer offsets for everything parsed AFTER it, and the
# nesting keeps every B after exactly the `vlan`s that apply to it (checked with tcpdump -d,
# and equal on all 84 VLAN captures of the corpus to the sum of three tcpdump runs with
# `B`, `vlan and (B)` and `vlan and vlan and (B)`).

RP_CSV_HEADER='frame,verdict,reason,service,level,dir,dir_src,l3,l4,frag,vlans,wire_len,cap_len,time,country'
RP_COUNTERS='ipv4 ipv6 tcp udp icmp icmp6 frag4 frag6'

# A non-first IPv6 fragment: a fragment header with a nonzero offset, right after the fixed
# header or after one or two hop-by-hop (0), routing (43) or destination-options (60) headers.
# (Deeper chains and chains through AH are not followed; none occur in the corpus.)
rp_ext6() { # OFFSET: the IPv6 header at OFFSET is hop-by-hop, routing or destination options
	printf '(ip6[%s] = 0 or ip6[%s] = 43 or ip6[%s] = 60)' "$1" "$1" "$1"
}
rp_frag6() {
	local o1='40 + (ip6[41] + 1) * 8' o2
	o2="$o1 + (ip6[$o1 + 1] + 1) * 8"
	printf '(ip6[6] = 44 and ip6[42:2] & 0xfff8 != 0)'
	printf ' or (%s and ip6[40] = 44 and ip6[%s + 2:2] & 0xfff8 != 0)' "$(rp_ext6 6)" "$o1"
	printf ' or (%s and %s and ip6[%s] = 44 and ip6[%s + 2:2] & 0xfff8 != 0)' \
		"$(rp_ext6 6)" "$(rp_ext6 40)" "$o1" "$o2"
}

# The IPv4 and IPv6 halves of each counter's filter for an untagged frame ("" = none).
rp_base4() {
	local later='ip[6:2] & 0x1fff != 0'
	case $1 in
	ipv4) echo 'ip' ;;
	tcp) echo "ip and ip[9] = 6 and not $later" ;;
	udp) echo "ip and ip[9] = 17 and not $later" ;;
	icmp) echo "ip and ip[9] = 1 and not $later" ;;
	frag4) echo "ip and $later" ;;
	esac
}
rp_base6() {
	case $1 in
	ipv6) echo 'ip6' ;;
	tcp) echo "ip6 and ip6 protochain 6 and not ($(rp_frag6))" ;;
	udp) echo "ip6 and ip6 protochain 17 and not ($(rp_frag6))" ;;
	icmp6) echo "ip6 and ip6 protochain 58 and not ($(rp_frag6))" ;;
	frag6) echo "ip6 and ($(rp_frag6))" ;;
	esac
}

# rp_filter COUNTER: the counter's filter, seeing through up to two VLAN tags.
rp_filter() {
	local b4 b6 b
	b4=$(rp_base4 "$1")
	b6=$(rp_base6 "$1")
	if [ -n "$b4" ] && [ -n "$b6" ]; then
		b="($b4) or ($b6)"
	else
		b=$b4$b6
	fi
	[ -n "$b" ] || return 1
	printf '(%s) or (vlan and ((%s) or (vlan and (%s))))\n' "$b" "$b" "$b"
}

# rp_count_csv VERDICTS.csv [LIMIT]: rempart's side of every counter, from the verdict CSV
# (columns l3, l4, frag), over the first LIMIT frames (default all). Prints NAME:COUNT ...
# The rules, matching the filters above:
#   ipv4/ipv6    l3 is ipv4/ipv6 (from the EtherType, as tcpdump's `ip`/`ip6`)
#   tcp/udp      l4 names the protocol and the frame is not a non-first fragment
#   icmp/icmp6   the same, in IPv4/IPv6 only (as the filters: `ip[9] = 1`, protochain 58)
#   frag4/frag6  a non-first fragment (frag = later) of IPv4/IPv6
rp_count_csv() {
	awk -F, -v lim="${2:--1}" -v names="$RP_COUNTERS" '
	NR == 1 || (lim >= 0 && $1 > lim) { next }
	{
		l3 = $8; l4 = $9; later = ($10 == "later")
		if (l3 == "none") next
		c[l3 == "ipv4" ? "ipv4" : "ipv6"]++
		if (later) c[l3 == "ipv4" ? "frag4" : "frag6"]++
		else if (l4 == "tcp" || l4 == "udp") c[l4]++
		else if (l4 == "icmp" && l3 == "ipv4") c[l4]++
		else if (l4 == "icmp6" && l3 == "ipv6") c[l4]++
	}
	END {
		n = split(names, a, " ")
		for (i = 1; i <= n; i++) printf "%s%s:%d", (i > 1 ? " " : ""), a[i], c[a[i]] + 0
		print ""
	}' "$1"
}
