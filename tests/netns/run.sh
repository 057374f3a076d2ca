#!/usr/bin/env bash
# End-to-end test of the daemon, `rempart run`, in network namespaces (docs/run.md).
#
# Two namespaces joined by a veth pair: "protected" (192.0.2.1/24, 2001:db8::1/64, rp-p) and
# "client" (192.0.2.2/24, 2001:db8::2/64, rp-c). The daemon runs in the protected namespace
# with its pins in a bpffs that this script mounts in the root namespace (each
# `ip netns exec` gets a fresh /sys, so /sys/fs/bpf would be a new, empty bpffs every time
# and a restart could not adopt anything): --pin-dir $BPFFS/rempart.
#
# Phases: run attaches (XDP + tc egress, fresh maps); ping both families and a TCP exchange
# pass; a frame from a deny-listed source (192.0.2.66) is dropped and counted
# (reason.deny, and the protected stack never sees it); SIGHUP with a broken file is
# rejected and the deny still holds, a good file reloads; kill -9 leaves protection in place
# (the deny still drops with no daemon); a restart adopts the pins (the deny counter goes on
# from where it was); `gen --send` traffic is counted; SIGTERM exits 0 and protection stays;
# `rempart stop` detaches and the denied source gets through; a pinned map that does not fit
# is refused with a hint to run `rempart stop`.
# Every wait is bounded; namespaces, daemon and the bpffs mount go away on exit.
set -u
cd "$(dirname "$0")/../.." || exit 1
# shellcheck source=tests/lib.sh
source tests/lib.sh

NSP=rp-rprot-$$
NSC=rp-rcli-$$
IFP=rp-p
IFC=rp-c
P4=192.0.2.1 C4=192.0.2.2 P6=2001:db8::1 C6=2001:db8::2 BAD4=192.0.2.66
BPFFS='' PIN='' RUN_PID='' RUN_JOB=''
BG_PIDS=()

if [ "$(id -u)" -ne 0 ]; then
	skip run "needs root (network namespaces, bpffs, XDP, tc)"
	exit 0
fi
if ! command -v ip >/dev/null || ! ip netns list >/dev/null 2>&1; then
	skip run "ip netns does not work here (iproute2 missing or no namespace support)"
	exit 0
fi

# shellcheck disable=SC2317 # called by t_cleanup, from the EXIT trap
t_extra_cleanup() {
	local p
	[ -n "$RUN_PID" ] && kill -9 "$RUN_PID" 2>/dev/null
	for p in "${BG_PIDS[@]}"; do kill "$p" 2>/dev/null; done
	wait 2>/dev/null
	ip netns del "$NSP" 2>/dev/null
	ip netns del "$NSC" 2>/dev/null
	if [ -n "$BPFFS" ]; then
		umount "$BPFFS" 2>/dev/null
		rmdir "$BPFFS" 2>/dev/null
	fi
	return 0
}
t_tmpdir
trap 'exit 130' INT TERM HUP

# gone PID: up to 10 s for PID to exit.
gone() {
	local i
	for i in $(seq 1 200); do
		kill -0 "$1" 2>/dev/null || return 0
		sleep 0.05
	done
	return 1
}
# stat_of KEY: a counter of the pinned data plane (rempart stats), 0 if absent.
stat_of() {
	sleep 0.3 # frames still in the veth's queue
	timeout 10 "$REMPART" stats --pin-dir "$PIN" 2>/dev/null |
		awk -v k="$1" '$1 == k { v = $2 } END { print v + 0 }'
}
xdp_on() { inp ip link show dev "$IFP" | grep -q 'prog/xdp'; }
tc_on() { inp tc filter show dev "$IFP" egress | grep -q 'rp_tc_egress'; }

# ---- build ----
if [ ! -x "$REMPART" ] || [ ! -f "$BUILD/librempart.a" ]; then
	make -s BUILD="$BUILD" >"$T_TMP/make.log" 2>&1
fi
if ! gcc -O2 -Wall -Wextra -Werror -std=gnu11 -D_GNU_SOURCE -Iinclude -Isrc -I"$BUILD" \
	tests/netns/attach.c "$BUILD"/librempart.a -o "$T_TMP/attach" \
	-lbpf -lpcap -lyaml -lelf -lz -lm -lmaxminddb 2>"$T_TMP/gcc.log" || [ ! -x "$REMPART" ]; then
	cat "$T_TMP/make.log" "$T_TMP/gcc.log" >&2 2>/dev/null
	fail build "cannot build $REMPART or the test tool tests/netns/attach.c"
	t_done
fi
A=$T_TMP/attach
REMPART=$(realpath "$REMPART")

# ---- bpffs, namespaces, veth ----
BPFFS=$(mktemp -d /tmp/rempart-bpffs.XXXXXX)
if ! mount -t bpf bpf "$BPFFS" 2>"$T_TMP/mount.err"; then
	rmdir "$BPFFS"
	BPFFS=''
	skip run "cannot mount a bpffs: $(head -n1 "$T_TMP/mount.err")"
	exit 0
fi
PIN=$BPFFS/rempart
netns_setup run

CFG=$T_TMP/rempart.yaml
cat >"$CFG" <<EOF
mode: inline
bogons: []   # 192.0.2.0/24 and 2001:db8::/32 are documentation space, bogons by default
interfaces: [$IFP]
deny: [$BAD4/32, "2001:db8::66/128"]
tenants:
  - name: test
    services:
      - name: echo
        addresses: [$P4, "$P6"]
        ports: [tcp/5201, icmp, icmpv6]
      - name: fenced
        addresses: [$P4]
        ports: [udp/5202]
        level_floor: 3
        fence: {allow: [europe]}
EOF
cp "$CFG" "$T_TMP/good.yaml"
if ! "$REMPART" check -c "$CFG" >"$T_TMP/check.out" 2>&1; then
	fail config "the test configuration does not parse: $(head -n1 "$T_TMP/check.out")"
	t_done
fi

# start NAME [ARGS...]: rempart run in the protected namespace, log in $T_TMP/run.NAME.log;
# waits for its start line. The pid is rempart's own (sh execs it), for kill -9.
start() {
	local name=$1 log=$T_TMP/run.$1.log
	shift
	rm -f "$T_TMP/pid"
	# The subshell exits normally with the status, so kill -9 prints no job notice.
	(timeout 300 ip netns exec "$NSP" sh -c 'echo $$ >"$0"; exec "$@"' "$T_TMP/pid" \
		"$REMPART" run -c "$CFG" --pin-dir "$PIN" "$@" >"$log" 2>&1; exit $?) 2>/dev/null &
	RUN_JOB=$!
	BG_PIDS+=("$RUN_JOB")
	local i
	for i in $(seq 1 100); do [ -s "$T_TMP/pid" ] && break; sleep 0.05; done
	RUN_PID=$(cat "$T_TMP/pid" 2>/dev/null)
	wait_for "$log" 'protecting' "$RUN_PID"
}

MACP=$(inp cat "/sys/class/net/$IFP/address")
MACC=$(inc cat "/sys/class/net/$IFC/address")
# shellcheck disable=SC2086 # split the dotted quad into four numbers
hex4() { printf '%02x%02x%02x%02x' ${1//./ }; }
csum() { # HEX: the Internet checksum of the bytes (checksum field zero in the input)
	local h=$1 s=0 i
	for ((i = 0; i < ${#h}; i += 4)); do s=$((s + 16#${h:i:4})); done
	while ((s >> 16)); do s=$(((s & 0xffff) + (s >> 16))); done
	printf '%04x' $((~s & 0xffff))
}
# An ICMP echo request from the deny-listed source to the protected address.
icmp="08000000abcd00017265"
icmp="${icmp:0:4}$(csum "$icmp")${icmp:8}"
hdr="4500001e0003000040010000$(hex4 "$BAD4")$(hex4 "$P4")"
hdr="${hdr:0:20}$(csum "$hdr")${hdr:24}"
DENIED="${MACP//:/}${MACC//:/}0800$hdr$icmp"

# denied NAME: send the denied frame; PASS if it was counted under reason.deny and never
# reached the protected stack.
denied() {
	local d0 d1 r0 r1
	d0=$(stat_of reason.deny) r0=$(snmp InReceives)
	inc "$A" send-raw "$IFC" "$DENIED" >/dev/null 2>"$T_TMP/raw.err" ||
		{ fail "$1" "send-raw: $(head -n1 "$T_TMP/raw.err")"; return; }
	d1=$(stat_of reason.deny) r1=$(snmp InReceives)
	if [ $((d1 - d0)) -eq 1 ] && [ "$r1" -eq "$r0" ]; then
		pass "$1"
	else
		fail "$1" "reason.deny +$((d1 - d0)) (want +1), protected InReceives +$((r1 - r0)) (want +0)"
	fi
}

# ---- 1. run: fresh start, attach ----
if ! start first; then
	cat "$T_TMP/run.first.log" >&2
	fail run-starts "rempart run did not start"
	t_done
fi
pass run-starts
check run-fresh grep -q 'fresh maps pinned' "$T_TMP/run.first.log"
check run-xdp xdp_on
check run-tc tc_on
check run-pins test -e "$PIN/rp_counters" -a -e "$PIN/prog_xdp" -a -e "$PIN/data"
grep -m1 'protecting' "$T_TMP/run.first.log" | sed 's/^/# /'

# ---- 2. legitimate traffic both ways ----
inc "$A" ping "$P4" 3 >"$T_TMP/ping4.out" 2>&1
check ping4 grep -qx "received 3" "$T_TMP/ping4.out"
inc "$A" ping "$P6" 3 >"$T_TMP/ping6.out" 2>&1
check ping6 grep -qx "received 3" "$T_TMP/ping6.out"
head -c 65536 /dev/urandom >"$T_TMP/c2s"
head -c 262144 /dev/urandom >"$T_TMP/s2c"
inp "$A" tcp-serve "$P4" 5201 "$T_TMP/got-by-server" "$T_TMP/s2c" >"$T_TMP/tcp.srv" 2>&1 &
srv=$!
BG_PIDS+=("$srv")
if wait_for "$T_TMP/tcp.srv" '^listening' "$srv"; then
	inc "$A" tcp-client "$P4" 5201 "$T_TMP/c2s" "$T_TMP/got-by-client" >"$T_TMP/tcp.cli" 2>&1
	wait "$srv"
fi
check tcp-in cmp -s "$T_TMP/c2s" "$T_TMP/got-by-server"
check tcp-out cmp -s "$T_TMP/s2c" "$T_TMP/got-by-client"
ge passed-counted "$(stat_of pass)" 10 "pass verdicts after ping and TCP"

# ---- 3. the deny list ----
denied deny-drops

# ---- 3b. the fence, live: a service at floor 3 fenced to europe; rempart stats shows its
# counters by country (the built-in dataset: 62.210.16.3 is FR, 36.110.180.10 is CN) ----
# udp_from SRC: a UDP datagram from SRC:40000 to P4:5202, checksum 0.
udp_from() {
	local h="450000200004000040110000$(hex4 "$1")$(hex4 "$P4")"
	h="${h:0:20}$(csum "$h")${h:24}"
	echo "${MACP//:/}${MACC//:/}0800${h}9c401452000c000074657374"
}
f0=$(stat_of geo.2.FR.pass.packets) c0=$(stat_of geo.2.CN.drop.packets) g0=$(stat_of reason.geo_fence)
inc "$A" send-raw "$IFC" "$(udp_from 62.210.16.3)" >/dev/null 2>"$T_TMP/raw.err" &&
	inc "$A" send-raw "$IFC" "$(udp_from 36.110.180.10)" >/dev/null 2>>"$T_TMP/raw.err" ||
	fail fence-send "send-raw: $(head -n1 "$T_TMP/raw.err")"
f1=$(stat_of geo.2.FR.pass.packets) c1=$(stat_of geo.2.CN.drop.packets) g1=$(stat_of reason.geo_fence)
eq fence-live-fr-passes $((f1 - f0)) 1 "geo.2.FR.pass.packets increase"
eq fence-live-cn-dropped $((c1 - c0)) 1 "geo.2.CN.drop.packets increase"
eq fence-live-reason $((g1 - g0)) 1 "reason.geo_fence increase"
grep -m1 'geo:' "$T_TMP/run.first.log" | sed 's/^/# /'

# ---- 4. SIGHUP: a broken file is rejected, a good one reloads ----
printf 'tenants:\n  - name: [broken\n' >"$CFG"
kill -HUP "$RUN_PID"
if wait_for "$T_TMP/run.first.log" 'reload rejected' "$RUN_PID"; then
	pass hup-broken-rejected
else
	fail hup-broken-rejected "no 'reload rejected' line"
fi
check hup-still-running kill -0 "$RUN_PID"
denied hup-deny-still-enforced
cp "$T_TMP/good.yaml" "$CFG"
kill -HUP "$RUN_PID"
check hup-good-reloaded wait_for "$T_TMP/run.first.log" 'reloaded' "$RUN_PID"
grep 'reload' "$T_TMP/run.first.log" | sed 's/^/# /'

# ---- 5. kill -9: protection stays without the daemon ----
kill -9 "$RUN_PID"
gone "$RUN_PID"
wait "$RUN_JOB" 2>/dev/null # reap it quietly
RUN_PID=
check kill9-xdp-stays xdp_on
check kill9-tc-stays tc_on
denied kill9-deny-still-enforced
deny_before=$(stat_of reason.deny)
# While the daemon is down, a service is added at the top of the file: numbered by place it
# would take number 1, and echo and fenced would lose their state to each other.
sed 's/^    services:$/    services:\n      - { name: spare, addresses: [203.0.113.9], ports: [tcp\/9] }/' \
	"$T_TMP/good.yaml" >"$CFG"

# ---- 6. restart adopts ----
if start second; then
	pass restart-starts
else
	cat "$T_TMP/run.second.log" >&2
	fail restart-starts "rempart run did not start again"
	t_done
fi
check restart-adopted grep -q 'adopted' "$T_TMP/run.second.log"
grep -m1 'protecting' "$T_TMP/run.second.log" | sed 's/^/# /'
ge restart-counters-kept "$(stat_of reason.deny)" "$deny_before" "reason.deny after adoption"
timeout 10 "$REMPART" stats --pin-dir "$PIN" 2>&1 | grep '^service\.' >"$T_TMP/services.out"
sed 's/^/# /' "$T_TMP/services.out"
check restart-numbers-kept grep -qx 'service.1 test/echo' "$T_TMP/services.out"
check restart-fenced-kept grep -qx 'service.2 test/fenced' "$T_TMP/services.out"
check restart-new-service-numbered grep -qx 'service.3 test/spare' "$T_TMP/services.out"
check restart-xdp xdp_on
denied restart-deny-enforced
inc "$A" ping "$P4" 2 >"$T_TMP/ping4b.out" 2>&1
check restart-ping4 grep -qx "received 2" "$T_TMP/ping4b.out"
# A second daemon on the same pins is refused.
if inp "$REMPART" run -c "$CFG" --pin-dir "$PIN" >"$T_TMP/run.dup.log" 2>&1; then
	fail second-daemon-refused "a second rempart run started"
else
	check second-daemon-refused grep -q 'in use' "$T_TMP/run.dup.log"
fi

# ---- 7. gen --send: generated inbound frames reach the filter ----
in0=$(stat_of in.packets)
inc "$REMPART" gen --scenario legit --duration 1 --legit-sessions 5 --send "$IFC" --pps 2000 \
	>"$T_TMP/send.out" 2>&1
sent=$(sed -n 's/.* \([0-9][0-9]*\) frames sent.*/\1/p' "$T_TMP/send.out" | head -n1)
in1=$(stat_of in.packets)
if [ -n "$sent" ] && [ "$sent" -gt 0 ]; then
	pass gen-send
	ge gen-send-counted $((in1 - in0)) "$sent" "inbound packets vs frames sent"
else
	fail gen-send "$(head -n2 "$T_TMP/send.out" | tr '\n' ' ')"
fi

# ---- 8. SIGTERM: exit 0, protection stays ----
kill -TERM "$RUN_PID"
gone "$RUN_PID"
RUN_PID=
wait "$RUN_JOB"
eq sigterm-exit-0 $? 0 "rempart run's exit status after SIGTERM"
check sigterm-logged grep -q 'protection stays in place' "$T_TMP/run.second.log"
check sigterm-xdp-stays xdp_on
denied sigterm-deny-still-enforced

# ---- 9. rempart stop ----
if inp "$REMPART" stop --pin-dir "$PIN" >"$T_TMP/stop.out" 2>&1; then
	pass stop-exit-0
else
	fail stop-exit-0 "$(head -n1 "$T_TMP/stop.out")"
fi
sed 's/^/# /' "$T_TMP/stop.out"
if ! xdp_on && ! tc_on; then pass stop-detached; else fail stop-detached "XDP or tc still on $IFP"; fi
check stop-pins-removed test ! -e "$PIN"
r0=$(snmp InReceives)
inc "$A" send-raw "$IFC" "$DENIED" >/dev/null 2>&1
sleep 0.3
r1=$(snmp InReceives)
eq stop-denied-source-passes $((r1 - r0)) 1 "protected InReceives after stop"
if inp "$REMPART" stop --pin-dir "$PIN" >"$T_TMP/stop2.out" 2>&1 &&
	grep -q 'nothing of rempart' "$T_TMP/stop2.out"; then
	pass stop-again-nothing
else
	fail stop-again-nothing "$(head -n1 "$T_TMP/stop2.out")"
fi

# ---- 10. pins that do not fit this build are refused ----
if command -v bpftool >/dev/null; then
	mkdir -p "$PIN"
	bpftool map create "$PIN/rp_counters" type array key 4 value 8 entries 1 name rp_counters \
		2>"$T_TMP/bpftool.err"
	if inp "$REMPART" run -c "$CFG" --pin-dir "$PIN" >"$T_TMP/run.stale.log" 2>&1; then
		fail stale-pins-refused "rempart run accepted a pinned map of another shape"
	else
		rc=$?
		if [ $rc -eq 1 ] && grep -q "rempart stop" "$T_TMP/run.stale.log" && ! xdp_on; then
			pass stale-pins-refused
		else
			fail stale-pins-refused "exit $rc: $(head -n1 "$T_TMP/run.stale.log")"
		fi
	fi
	inp "$REMPART" stop --pin-dir "$PIN" >/dev/null 2>&1
else
	skip stale-pins-refused "bpftool not installed"
fi
t_done
