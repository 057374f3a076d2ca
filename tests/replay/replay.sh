#!/usr/bin/env bash
# Whole captures through `rempart replay`: determinism, merged against unmerged ticks,
# direction from each source, wire lengths, passed/dropped outputs, damaged captures.
# Captures come from `rempart gen` (deterministic by seed).
source "$(dirname "$0")/../lib.sh"
t_tmpdir
need_root "replay loads a BPF program: needs root"
R() { "$REMPART" "$@"; }
col() { cut -d, -f"$1" "$2" | tail -n +2; } # a CSV column without its header

# 1. Every generated frame parses cleanly, and replay counts what tcpdump counts.
R gen --scenario mixed --seed 7 --duration 3 -o "$T_TMP/m.pcapng" --labels "$T_TMP/m.labels" >/dev/null
R replay "$T_TMP/m.pcapng" --verdicts "$T_TMP/m.csv" --json > "$T_TMP/m.json"
frames=$(tcpdump -r "$T_TMP/m.pcapng" -nn 2>/dev/null | wc -l)
check "frame count agrees with tcpdump ($frames)" \
	[ "$(tail -n +2 "$T_TMP/m.csv" | wc -l)" -eq "$frames" -a "$(tail -n +2 "$T_TMP/m.labels" | wc -l)" -eq "$frames" ]
check "frames numbered from 1" [ "$(col 1 "$T_TMP/m.csv" | head -1)" = 1 ]
bad=$(col 3 "$T_TMP/m.csv" | grep -vc '^ok$')
check "every generated frame parses ok ($bad not ok)" [ "$bad" -eq 0 ]
check "fragments seen (first and later)" \
	bash -c "[ \$(cut -d, -f10 '$T_TMP/m.csv' | grep -c '^first$') -gt 0 ] && [ \$(cut -d, -f10 '$T_TMP/m.csv' | grep -c '^later$') -gt 0 ]"

# 2. Determinism: two runs, byte-identical outputs.
R replay "$T_TMP/m.pcapng" --verdicts "$T_TMP/m2.csv" --json > "$T_TMP/m2.json"
check "deterministic: verdicts identical" cmp -s "$T_TMP/m.csv" "$T_TMP/m2.csv"
check "deterministic: JSON identical" cmp -s "$T_TMP/m.json" "$T_TMP/m2.json"
R gen --scenario mixed --seed 7 --duration 3 -o "$T_TMP/m3.pcapng" >/dev/null
check "generator deterministic by seed" cmp -s "$T_TMP/m.pcapng" "$T_TMP/m3.pcapng"

# 3. Merged idle ticks equal the same number of empty ticks.
R gen --scenario legit --seed 3 --legit-sessions 6 --duration 300 -o "$T_TMP/idle.pcapng" >/dev/null
R replay "$T_TMP/idle.pcapng" --json > "$T_TMP/merged.json"
R replay "$T_TMP/idle.pcapng" --json --no-merge-ticks > "$T_TMP/unmerged.json"
check "merged ticks equal unmerged ticks" cmp -s "$T_TMP/merged.json" "$T_TMP/unmerged.json"
ticks=$(grep -o '"ticks": [0-9]*' "$T_TMP/merged.json" | grep -o '[0-9]*$')
check "a 300 s capture runs ~3000 ticks ($ticks)" [ "${ticks:-0}" -ge 2900 ]

# 4. Direction: the capture's flags, cooked packet types, upstream MACs and the address rule
#    must all give the same direction for every frame.
cat > "$T_TMP/mac.yaml" <<'YAML'
upstream_macs: ["02:00:00:00:00:01"]
YAML
cat > "$T_TMP/addr.yaml" <<'YAML'
internal: { networks: [10.0.0.0/8] }
tenants:
  - name: t
    services: [{ name: portal, addresses: [192.0.2.0/24, "2001:db8:10::/48"] }]
YAML
G="gen --scenario mixed --seed 11 --duration 2"
R $G -o "$T_TMP/d_ng.pcapng" >/dev/null
R $G --link sll --format pcap -o "$T_TMP/d_sll.pcap" >/dev/null
R $G --link sll2 --format pcap -o "$T_TMP/d_sll2.pcap" >/dev/null
R $G --no-direction -o "$T_TMP/d_none.pcapng" >/dev/null
R replay "$T_TMP/d_ng.pcapng" --verdicts "$T_TMP/d_ng.csv" >/dev/null
R replay "$T_TMP/d_sll.pcap" --verdicts "$T_TMP/d_sll.csv" >/dev/null
R replay "$T_TMP/d_sll2.pcap" --verdicts "$T_TMP/d_sll2.csv" >/dev/null
R replay "$T_TMP/d_none.pcapng" -c "$T_TMP/mac.yaml" --verdicts "$T_TMP/d_mac.csv" >/dev/null
R replay "$T_TMP/d_none.pcapng" -c "$T_TMP/addr.yaml" --verdicts "$T_TMP/d_addr.csv" >/dev/null
R replay "$T_TMP/d_none.pcapng" --verdicts "$T_TMP/d_default.csv" >/dev/null
col 6 "$T_TMP/d_ng.csv" > "$T_TMP/dir_ng"
n_in=$(grep -c '^in$' "$T_TMP/dir_ng"); n_out=$(grep -c '^out$' "$T_TMP/dir_ng")
check "pcapng flags give both directions (in $n_in, out $n_out)" [ "$n_in" -gt 0 -a "$n_out" -gt 0 ]
check "pcapng flags: direction source is the capture" bash -c "! cut -d, -f7 '$T_TMP/d_ng.csv' | tail -n +2 | grep -vq '^capture$'"
for v in sll sll2 mac addr; do
	check "direction from $v equals pcapng flags" cmp -s "$T_TMP/dir_ng" <(col 6 "$T_TMP/d_$v.csv")
done
check "upstream MAC is the direction source" bash -c "! cut -d, -f7 '$T_TMP/d_mac.csv' | tail -n +2 | grep -vq '^mac$'"
check "address rule is the direction source" bash -c "! cut -d, -f7 '$T_TMP/d_addr.csv' | tail -n +2 | grep -vq '^address$'"
check "no direction data, no config: everything inbound" bash -c "! cut -d, -f6 '$T_TMP/d_default.csv' | tail -n +2 | grep -vq '^in$'"

# 5. Byte rates use the wire length: a capture cut to 96 bytes counts the same bytes.
R $G --snaplen 96 -o "$T_TMP/d_snap.pcapng" >/dev/null
R replay "$T_TMP/d_ng.pcapng" --json > "$T_TMP/full.json"
R replay "$T_TMP/d_snap.pcapng" --json --verdicts "$T_TMP/d_snap.csv" > "$T_TMP/snap.json"
b_full=$(grep -m1 -o '"bytes": [0-9]*' "$T_TMP/full.json"); b_snap=$(grep -m1 -o '"bytes": [0-9]*' "$T_TMP/snap.json")
check "snap length 96: same wire bytes ($b_full / $b_snap)" [ "$b_full" = "$b_snap" ]
check "snap length 96: no frame called malformed" bash -c "! cut -d, -f2 '$T_TMP/d_snap.csv' | grep -q '^drop$'"

# 6. VLAN tags.
R gen --scenario mixed --seed 5 --duration 1 --vlan 42 -o "$T_TMP/v1.pcapng" >/dev/null
R gen --scenario mixed --seed 5 --duration 1 --qinq 7 -o "$T_TMP/v2.pcapng" >/dev/null
R replay "$T_TMP/v1.pcapng" --verdicts "$T_TMP/v1.csv" >/dev/null
R replay "$T_TMP/v2.pcapng" --verdicts "$T_TMP/v2.csv" >/dev/null
check "802.1Q: one tag on every frame, all parsed" bash -c "[ -z \"\$(tail -n +2 '$T_TMP/v1.csv' | awk -F, '\$11 != 1 || \$3 != \"ok\"')\" ]"
check "QinQ: two tags on every frame, all parsed" bash -c "[ -z \"\$(tail -n +2 '$T_TMP/v2.csv' | awk -F, '\$11 != 2 || \$3 != \"ok\"')\" ]"

# 7. Passed and dropped frames as captures: together they are the whole capture. The first
#    frame (an IPv4 SYN) gets a broken IP version byte, so one frame is dropped as malformed.
R gen --scenario sample --seed 2 --duration 1 --format pcap -o "$T_TMP/pd.pcap" >/dev/null
printf '\x55' | dd of="$T_TMP/pd.pcap" bs=1 seek=$((24 + 16 + 14)) conv=notrunc status=none
all=$(tcpdump -nn -r "$T_TMP/pd.pcap" 2>/dev/null | wc -l)
R replay "$T_TMP/pd.pcap" --verdicts "$T_TMP/pd.csv" --write-passed "$T_TMP/p.pcap" --write-dropped "$T_TMP/dr.pcap" >/dev/null
np=$(tcpdump -nn -r "$T_TMP/p.pcap" 2>/dev/null | wc -l); nd=$(tcpdump -nn -r "$T_TMP/dr.pcap" 2>/dev/null | wc -l)
check "passed + dropped captures hold every frame ($np + $nd = $all)" [ $((np + nd)) -eq "$all" ]
check "the broken frame is the one dropped, as ip4_bad_version" \
	bash -c "[ $nd -eq 1 ] && sed -n 2p '$T_TMP/pd.csv' | grep -q '^1,drop,ip4_bad_version,'"
printf 'malformed: pass\n' > "$T_TMP/pass.yaml"
R replay "$T_TMP/pd.pcap" -c "$T_TMP/pass.yaml" --verdicts "$T_TMP/pd2.csv" >/dev/null
check "malformed: pass passes it, same reason" bash -c "sed -n 2p '$T_TMP/pd2.csv' | grep -q '^1,pass,ip4_bad_version,'"

# 8. A damaged capture: the frames before the damage are replayed, exit 1, a clear message.
R gen --scenario sample --seed 2 --duration 1 --format pcap -o "$T_TMP/cut.pcap" >/dev/null
size=$(stat -c %s "$T_TMP/cut.pcap")
truncate -s $((size - 30)) "$T_TMP/cut.pcap"
whole=$(tcpdump -nn -r "$T_TMP/cut.pcap" 2>/dev/null | wc -l)
R replay "$T_TMP/cut.pcap" --json > "$T_TMP/cut.json" 2> "$T_TMP/cut.err"; rc=$?
got=$(grep -m1 -o '"frames": [0-9]*' "$T_TMP/cut.json" | grep -o '[0-9]*$')
check "damaged capture: exit status 1 ($rc)" [ "$rc" -eq 1 ]
check "damaged capture: the $whole frames before the damage are replayed ($got)" [ "${got:-x}" = "$whole" ]
check "damaged capture: message names the damage" grep -q "damaged after frame $whole" "$T_TMP/cut.err"

# 9. Errors a user meets.
R replay /nonexistent.pcap > /dev/null 2> "$T_TMP/e1"; rc=$?
check "missing capture: exit 2 with the path" bash -c "[ $rc -eq 2 ] && grep -q '/nonexistent.pcap' '$T_TMP/e1'"
printf 'malformed: maybe\n' > "$T_TMP/bad.yaml"
R replay "$T_TMP/m.pcapng" -c "$T_TMP/bad.yaml" > /dev/null 2> "$T_TMP/e2"; rc=$?
check "bad config: exit 2, file:line:col" bash -c "[ $rc -eq 2 ] && grep -q 'bad.yaml:1:12:' '$T_TMP/e2'"
t_done
