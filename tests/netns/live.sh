#!/usr/bin/env bash
# End-to-end test of the live inline mode in network namespaces (docs/testing-netns.md).
#
# Two namespaces joined by a veth pair: "protected" (192.0.2.1/24, 2001:db8::1/64, interface
# rp-p) and "client" (192.0.2.2/24, 2001:db8::2/64, interface rp-c); no other interface, no
# route out. tests/netns/attach.c loads build/rempart.bpf.o in inline mode and attaches rp_xdp
# (inbound) and rp_tc_egress (outbound) on rp-p, without pinning: inside `ip netns exec`
# /sys/fs/bpf is not mounted. Then real traffic both ways, phase by phase, with the counters
# read before and after each phase:
#   ping and ping6 from the client; UDP echo over IPv4 and IPv6; one TCP exchange
#   (256 KiB in, 2 MiB out, both checked byte for byte; the 2 MiB leave as GSO super-packets
#   and must be counted in segments); two malformed frames sent raw from the client, which
#   must be counted under their reason, dropped, and never reach the protected stack; the same
#   frame with the malformed verdict set to pass, as a control that the stack would see it.
# Everything is bounded by `timeout` and removed on exit, even on failure.
set -u
cd "$(dirname "$0")/../.." || exit 1
# shellcheck source=tests/lib.sh
source tests/lib.sh

NSP=rp-prot-$$
NSC=rp-cli-$$
IFP=rp-p
IFC=rp-c
P4=192.0.2.1 C4=192.0.2.2 P6=2001:db8::1 C6=2001:db8::2
PINGS=5 UDPS=10
TCP_IN=$((256 * 1024)) TCP_OUT=$((2 * 1024 * 1024))
ATT_PID='' CTL=''
BG_PIDS=()

if [ "$(id -u)" -ne 0 ]; then
	skip live "needs root (network namespaces, XDP, tc)"
	exit 0
fi
if ! command -v ip >/dev/null || ! ip netns list >/dev/null 2>&1; then
	skip live "ip netns does not work here (iproute2 missing or no namespace support)"
	exit 0
fi

# shellcheck disable=SC2317 # called by t_cleanup, from the EXIT trap
t_extra_cleanup() {
	local p i
	if [ -n "$ATT_PID" ] && kill -0 "$ATT_PID" 2>/dev/null; then
		[ -n "$CTL" ] && { echo quit 1>&"$CTL"; } 2>/dev/null
		for i in $(seq 1 50); do kill -0 "$ATT_PID" 2>/dev/null || break; sleep 0.1; done
		kill "$ATT_PID" 2>/dev/null
	fi
	for p in "${BG_PIDS[@]}"; do kill "$p" 2>/dev/null; done
	wait 2>/dev/null
	ip netns del "$NSP" 2>/dev/null
	ip netns del "$NSC" 2>/dev/null
	return 0
}
t_tmpdir
trap 'exit 130' INT TERM HUP

# get FILE KEY: the value of "KEY value" in FILE, 0 if absent.
get() { awk -v k="$2" '$1 == k { v = $2 } END { print v + 0 }' "$1" 2>/dev/null; }
# snap NAME: the filter's counters into $T_TMP/c.NAME, after in-flight frames have landed.
snap() {
	local f=$T_TMP/c.$1 i
	sleep 0.3
	rm -f "$f"
	echo "dump $f" >&"$CTL" || return 1
	for i in $(seq 1 100); do
		[ -f "$f" ] && return 0
		sleep 0.05
	done
	return 1
}
# d A B KEY: how much KEY grew between snapshots A and B.
d() { echo $(($(get "$T_TMP/c.$2" "$3") - $(get "$T_TMP/c.$1" "$3"))); }

# ---- build the tool ----
if [ ! -f "$BUILD/librempart.a" ] || [ ! -f "$BUILD/rempart.skel.h" ]; then
	make -s BUILD="$BUILD" "$BUILD/librempart.a" >"$T_TMP/make.log" 2>&1
fi
if ! gcc -O2 -Wall -Wextra -Werror -std=gnu11 -D_GNU_SOURCE -Iinclude -Isrc -I"$BUILD" \
	tests/netns/attach.c "$BUILD"/librempart.a -o "$T_TMP/attach" \
	-lbpf -lpcap -lyaml -lelf -lz -lm -lmaxminddb 2>"$T_TMP/gcc.log"; then
	cat "$T_TMP/make.log" "$T_TMP/gcc.log" >&2 2>/dev/null
	fail build "cannot compile tests/netns/attach.c"
	t_done
fi
pass build
A=$T_TMP/attach

# ---- namespaces and the veth pair ----
netns_setup live
if inp grep -q ' /sys/fs/bpf ' /proc/self/mounts; then
	echo "# note: /sys/fs/bpf is mounted inside ip netns exec here"
else
	echo "# note: /sys/fs/bpf is not mounted inside ip netns exec; attach pins nothing"
fi

# ---- attach both entry points on the protected side ----
mkfifo "$T_TMP/ctl"
exec {CTL}<>"$T_TMP/ctl"
timeout 300 ip netns exec "$NSP" "$A" "$IFP" 240 <"$T_TMP/ctl" >"$T_TMP/attach.out" \
	2>"$T_TMP/attach.err" &
ATT_PID=$!
if ! wait_for "$T_TMP/attach.out" '^ready' "$ATT_PID"; then
	cat "$T_TMP/attach.err" >&2
	fail attach "the program did not load and attach on $IFP"
	t_done
fi
mode=$(sed -n 's/^ready xdp=//p' "$T_TMP/attach.out")
if [ "$mode" != drv ]; then
	echo "# warning: XDP in $mode mode, native attach failed: $(grep -m1 warning "$T_TMP/attach.err")"
fi
if inp ip link show dev "$IFP" | grep -q 'prog/xdp' &&
	inp tc filter show dev "$IFP" egress | grep -q 'rp_tc_egress'; then
	pass attach
	echo "# attached: rp_xdp in $mode mode, rp_tc_egress on clsact egress of $IFP"
else
	fail attach "XDP or the tc egress filter is not visible on $IFP"
fi
snap start || { fail dump "the attach tool did not dump its counters"; t_done; }

# ---- ICMP: ping and ping6 from the client ----
inc "$A" ping "$P4" "$PINGS" >"$T_TMP/ping4.out" 2>&1
check ping4 grep -qx "received $PINGS" "$T_TMP/ping4.out"
snap ping4
ge ping4-icmp-counted "$(d start ping4 icmp)" $((2 * PINGS)) "icmp packets (requests in + replies out)"
ge ping4-in "$(d start ping4 in.packets)" "$PINGS" "inbound packets"
ge ping4-out "$(d start ping4 out.packets)" "$PINGS" "outbound packets"

inc "$A" ping "$P6" "$PINGS" >"$T_TMP/ping6.out" 2>&1
check ping6 grep -qx "received $PINGS" "$T_TMP/ping6.out"
snap ping6
ge ping6-icmp6-counted "$(d ping4 ping6 icmp6)" $((2 * PINGS)) "icmp6 packets (requests in + replies out)"
ge ping6-in "$(d ping4 ping6 in.packets)" "$PINGS" "inbound packets"
ge ping6-out "$(d ping4 ping6 out.packets)" "$PINGS" "outbound packets"

# ---- UDP echo, IPv4 then IPv6 ----
udp() { # NAME SERVER-ADDR PORT
	inp "$A" udp-echo "$2" "$3" "$UDPS" >"$T_TMP/$1.srv" 2>&1 &
	BG_PIDS+=($!)
	local srv=$!
	wait_for "$T_TMP/$1.srv" '^listening' "$srv" || { fail "$1" "the UDP server did not start"; return; }
	inc "$A" udp-client "$2" "$3" "$UDPS" >"$T_TMP/$1.out" 2>&1
	wait "$srv"
	check "$1" grep -qx "received $UDPS" "$T_TMP/$1.out"
}
udp udp4 "$P4" 5301
snap udp4
udp udp6 "$P6" 5302
snap udp6
ge udp-counted "$(d ping6 udp6 udp)" $((4 * UDPS)) "udp packets (2x$UDPS in + 2x$UDPS out)"
ge udp-in "$(d ping6 udp6 in.packets)" $((2 * UDPS)) "inbound packets"
ge udp-out "$(d ping6 udp6 out.packets)" $((2 * UDPS)) "outbound packets"

# ---- TCP: 256 KiB in, 2 MiB out, one connection ----
head -c "$TCP_IN" /dev/urandom >"$T_TMP/tcp.c2s"
head -c "$TCP_OUT" /dev/urandom >"$T_TMP/tcp.s2c"
txp0=$(inp cat "/sys/class/net/$IFP/statistics/tx_packets")
inp "$A" tcp-serve "$P4" 5201 "$T_TMP/tcp.got-by-server" "$T_TMP/tcp.s2c" >"$T_TMP/tcp.srv" 2>&1 &
srv=$!
BG_PIDS+=("$srv")
if wait_for "$T_TMP/tcp.srv" '^listening' "$srv"; then
	inc "$A" tcp-client "$P4" 5201 "$T_TMP/tcp.c2s" "$T_TMP/tcp.got-by-client" >"$T_TMP/tcp.cli" 2>&1
	wait "$srv"
else
	fail tcp "the TCP server did not start"
fi
snap tcp
txp1=$(inp cat "/sys/class/net/$IFP/statistics/tx_packets")
check tcp-payload-in cmp -s "$T_TMP/tcp.c2s" "$T_TMP/tcp.got-by-server"
check tcp-payload-out cmp -s "$T_TMP/tcp.s2c" "$T_TMP/tcp.got-by-client"
# What the client's TCP saw on the wire: segments it sent (inbound) and received (outbound,
# GSO super-packets counted as their segments, like the filter does).
cli_segs=$(get "$T_TMP/tcp.cli" client.segs_out)
srv_segs=$(get "$T_TMP/tcp.cli" client.segs_in)
mss=$(get "$T_TMP/tcp.srv" server.snd_mss)
sent=$(get "$T_TMP/tcp.srv" server.sent)
tcp_in=$(d udp6 tcp in.packets) tcp_out=$(d udp6 tcp out.packets)
ge tcp-in "$tcp_in" "$((cli_segs > 0 ? cli_segs : 1))" "inbound packets vs client segments sent"
ge tcp-out "$tcp_out" "$((srv_segs > 0 ? srv_segs : 1))" "outbound packets vs segments the client received"
ge tcp-counted "$(d udp6 tcp tcp)" $((cli_segs + srv_segs)) "tcp packets vs segments both ways"
ge tcp-syn "$(d udp6 tcp syn)" 1 "SYN count"
# GSO: the server's 2 MiB leave rp-p as super-packets; tc egress must count their segments.
if [ "$mss" -gt 0 ] && [ "$sent" -eq "$TCP_OUT" ]; then
	ge gso-segments "$tcp_out" $(((sent + mss - 1) / mss)) "outbound packets vs bytes/MSS ($sent/$mss)"
else
	fail gso-segments "no MSS or short transfer (mss $mss, sent $sent)"
fi
skbs=$((txp1 - txp0))
if [ "$skbs" -lt "$tcp_out" ]; then
	pass gso-active
	echo "# gso: $skbs skbs left $IFP during the TCP phase, counted as $tcp_out segments"
else
	skip gso-active "no GSO super-packets on $IFP ($skbs skbs, $tcp_out segments): TSO/GSO off?"
fi

# ---- malformed frames, sent raw from the client ----
MACP=$(inp cat "/sys/class/net/$IFP/address")
MACC=$(inc cat "/sys/class/net/$IFC/address")
# shellcheck disable=SC2086 # split the dotted quad into four numbers
hex4() { printf '%02x%02x%02x%02x' ${1//./ }; }
# ip4_csum HEX-HEADER: the header checksum (field zero in the input).
ip4_csum() {
	local h=$1 s=0 i
	for ((i = 0; i < ${#h}; i += 4)); do s=$((s + 16#${h:i:4})); done
	while ((s >> 16)); do s=$(((s & 0xffff) + (s >> 16))); done
	printf '%04x' $((~s & 0xffff))
}
eth="${MACP//:/}${MACC//:/}0800"
udp8=d4310035000800000000000000000000
# Version 5 in an IPv4 EtherType: ip4_bad_version.
hdr="550000240001000040110000$(hex4 "$C4")$(hex4 "$P4")"
hdr="${hdr:0:20}$(ip4_csum "$hdr")${hdr:24}"
BAD_VERSION="$eth$hdr$udp8"
# A total length of 1500 in a 50-byte frame: ip4_len_exceeds.
hdr="450005dc0002000040110000$(hex4 "$C4")$(hex4 "$P4")"
hdr="${hdr:0:20}$(ip4_csum "$hdr")${hdr:24}"
LEN_EXCEEDS="$eth$hdr$udp8"

rx0=$(snmp InReceives) he0=$(snmp InHdrErrors)
if ! inc "$A" send-raw "$IFC" "$BAD_VERSION" >/dev/null 2>"$T_TMP/raw.err" ||
	! inc "$A" send-raw "$IFC" "$LEN_EXCEEDS" >/dev/null 2>>"$T_TMP/raw.err"; then
	fail send-raw "$(head -n1 "$T_TMP/raw.err")"
fi
snap malformed
rx1=$(snmp InReceives)
eq malformed-reason-bad-version "$(d tcp malformed reason.ip4_bad_version)" 1 "ip4_bad_version count"
eq malformed-reason-len-exceeds "$(d tcp malformed reason.ip4_len_exceeds)" 1 "ip4_len_exceeds count"
eq malformed-dropped "$(d tcp malformed drop)" 2 "drop verdicts"
eq malformed-not-delivered "$((rx1 - rx0))" 0 "IPv4 packets reaching the protected stack"

# Control: with the malformed verdict set to pass, the same frame reaches the stack, which
# rejects it itself (InHdrErrors): the probe above can see a frame that gets through.
echo "malformed pass" >&"$CTL"
wait_for "$T_TMP/attach.out" '^malformed pass' "$ATT_PID" || fail control "the verdict did not change"
inc "$A" send-raw "$IFC" "$BAD_VERSION" >/dev/null 2>&1
snap control
rx2=$(snmp InReceives) he2=$(snmp InHdrErrors)
echo "malformed drop" >&"$CTL"
wait_for "$T_TMP/attach.out" '^malformed drop' "$ATT_PID" || fail control "the verdict did not change back"
ge control-passed "$(d malformed control pass)" 1 "pass verdicts"
eq control-not-dropped "$(d malformed control drop)" 0 "drop verdicts"
eq control-counted "$(d malformed control reason.ip4_bad_version)" 1 "ip4_bad_version count"
if [ $((rx2 - rx1)) -eq 1 ] && [ $((he2 - he0)) -eq 1 ]; then
	pass control-delivered
else
	fail control-delivered "InReceives +$((rx2 - rx1)), InHdrErrors +$((he2 - he0)); expected +1, +1"
fi

# ---- totals over the whole run ----
client_sent=$((2 * PINGS + 2 * UDPS + cli_segs + 3))
replies=$((2 * PINGS + 2 * UDPS + srv_segs))
ge total-in "$(d start control in.packets)" "$client_sent" "inbound packets vs frames the client sent"
ge total-out "$(d start control out.packets)" "$replies" "outbound packets vs frames the protected side sent"
eq total-no-unknown-dir "$(get "$T_TMP/c.control" unknown.packets)" 0 "frames without a direction"
eq total-no-aborted "$(get "$T_TMP/c.control" aborted)" 0 "aborted verdicts"
eq total-drops "$(get "$T_TMP/c.control" drop)" 2 "drops (only the two malformed frames)"
total=$(($(get "$T_TMP/c.control" in.packets) + $(get "$T_TMP/c.control" out.packets)))
eq total-verdicts "$(($(get "$T_TMP/c.control" pass) + $(get "$T_TMP/c.control" drop)))" "$total" \
	"verdicts vs packets"

# ---- detach ----
echo quit >&"$CTL"
ok=1
for i in $(seq 1 50); do kill -0 "$ATT_PID" 2>/dev/null || break; sleep 0.1; done
if kill -0 "$ATT_PID" 2>/dev/null; then
	ok=0
else
	wait "$ATT_PID" || ok=0
fi
ATT_PID=
if [ $ok = 1 ] && grep -q '^detached' "$T_TMP/attach.out" &&
	! inp ip link show dev "$IFP" | grep -q 'prog/xdp' &&
	! inp tc filter show dev "$IFP" egress | grep -q .; then
	pass detach
else
	cat "$T_TMP/attach.err" >&2
	fail detach "the tool did not exit cleanly or left a program attached"
fi
t_done
