# shellcheck shell=bash
# Helpers for the shell tests. Each test prints one line that tests/run counts:
#   PASS name | FAIL name: why | SKIP name: why
# Environment from tests/run: REMPART (the binary), BUILD (build dir), SHARED (../shared).
: "${BUILD:=build}"
: "${REMPART:=$BUILD/rempart}"
: "${SHARED:=../shared}"
T_FAILED=0
T_SCRIPT=$(basename "$0")

pass() { echo "PASS $T_SCRIPT:$1"; }
fail() { echo "FAIL $T_SCRIPT:$1: ${2:-failed}"; T_FAILED=1; }
skip() { echo "SKIP $T_SCRIPT:$1: $2"; }
# check NAME CONDITION-COMMAND... : PASS if the command succeeds
check() { local n=$1; shift; if "$@"; then pass "$n"; else fail "$n" "$*"; fi; }
t_tmpdir() { T_TMP=$(mktemp -d /tmp/rempart-test.XXXXXX); trap 't_cleanup' EXIT; }
t_cleanup() { [ -n "${T_TMP:-}" ] && rm -rf "$T_TMP"; type t_extra_cleanup >/dev/null 2>&1 && t_extra_cleanup; return 0; }
t_done() { exit "$T_FAILED"; }
# need_root WHY: end the script with one SKIP line unless it runs as root.
need_root() { [ "$(id -u)" -eq 0 ] && return 0; skip all "$1"; t_done; }

# ---- network-namespace tests (tests/netns/) ----
# The script sets NSP, NSC (namespace names), IFP, IFC (the veth ends), P4, P6, C4, C6.
inp() { timeout 20 ip netns exec "$NSP" "$@"; } # in the protected namespace
inc() { timeout 20 ip netns exec "$NSC" "$@"; } # in the client namespace
# wait_for FILE PATTERN [PID]: up to 10 s for a line matching PATTERN (less if PID exits).
wait_for() {
	local i
	for i in $(seq 1 200); do
		grep -q "$2" "$1" 2>/dev/null && return 0
		if [ -n "${3:-}" ] && ! kill -0 "$3" 2>/dev/null; then
			grep -q "$2" "$1" 2>/dev/null
			return
		fi
		sleep 0.05
	done
	return 1
}
# snmp FIELD: an "Ip:" counter of the protected namespace (InReceives, InHdrErrors...).
snmp() {
	inp cat /proc/net/snmp | awk -v k="$1" '
		$1 == "Ip:" && !h { for (i = 2; i <= NF; i++) n[i] = $i; h = 1; next }
		$1 == "Ip:" { for (i = 2; i <= NF; i++) if (n[i] == k) print $i }'
}
# eq / ge NAME A B WHAT: check A = B, A >= B.
eq() { if [ "$2" -eq "$3" ]; then pass "$1"; else fail "$1" "$4: $2 != $3"; fi; }
ge() { if [ "$2" -ge "$3" ]; then pass "$1"; else fail "$1" "$4: $2 < $3"; fi; }
# netns_setup NAME: the two namespaces joined by the veth pair, addresses up, no route out.
# Skips NAME (and exits 0) when this machine cannot make a namespace; fails on anything else.
netns_setup() {
	if ! {
		ip netns add "$NSP" && ip netns add "$NSC" &&
			ip -n "$NSP" link add "$IFP" type veth peer name "$IFC" netns "$NSC" &&
			ip -n "$NSP" link set lo up && ip -n "$NSC" link set lo up &&
			ip -n "$NSP" addr add "$P4/24" dev "$IFP" &&
			ip -n "$NSP" addr add "$P6/64" dev "$IFP" nodad &&
			ip -n "$NSC" addr add "$C4/24" dev "$IFC" &&
			ip -n "$NSC" addr add "$C6/64" dev "$IFC" nodad &&
			ip -n "$NSP" link set "$IFP" up && ip -n "$NSC" link set "$IFC" up
	} 2>"$T_TMP/setup.log"; then
		if ! ip netns list 2>/dev/null | grep -q "^$NSP"; then
			skip "$1" "cannot create a network namespace: $(head -n1 "$T_TMP/setup.log")"
			exit 0
		fi
		cat "$T_TMP/setup.log" >&2
		fail setup "cannot build the namespaces and the veth pair"
		t_done
	fi
	# Safety: the only routes are the connected ones, no default route, in either namespace.
	if ip -n "$NSP" route show default | grep -q . || ip -n "$NSC" route show default | grep -q . ||
		ip -n "$NSP" -6 route show default | grep -q . ||
		ip -n "$NSC" -6 route show default | grep -q .; then
		fail setup "a namespace has a default route"
		t_done
	fi
	pass setup
}
