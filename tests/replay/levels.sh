#!/usr/bin/env bash
# The level table on generated captures. Known clients: learned from complete sessions in
# peacetime, they keep access at level 4; new clients and spoofed SYNs do not; a spoofed
# flood teaches nothing, evicts nothing and leaves no per-source state. Level 1 scrubs a
# fragmented reflection attack and nothing legitimate.
source "$(dirname "$0")/../lib.sh"
t_tmpdir
need_root "replay loads a BPF program: needs root"
R() { "$REMPART" "$@"; }
json() { grep -o "\"$1\": [0-9]*" "$2" | head -1 | grep -o '[0-9]*$'; }

cat > "$T_TMP/p.yaml" <<'YAML'
tenants:
  - name: aphp
    services:
      - name: portal
        addresses: [192.0.2.10, "2001:db8:10::10"]
        ports: [tcp/443, tcp/80, icmp, icmpv6]
YAML
G="gen --scenario synflood --seed 5 --duration 20 --attack-start 10 --attack-end 16"
R $G -o "$T_TMP/a.pcapng" --labels "$T_TMP/a.lab" >/dev/null
R $G --syn-pps 0 -o "$T_TMP/b.pcapng" >/dev/null
R gen --scenario synflood --seed 6 --duration 5 --attack-start 0 --attack-end 5 --legit-sessions 1 \
	-o "$T_TMP/f.pcapng" --labels "$T_TMP/f.lab" >/dev/null

# 1. Peacetime learning, with and without a flood at level 0: the same clients.
R replay "$T_TMP/a.pcapng" -c "$T_TMP/p.yaml" --json > "$T_TMP/a0.json"
R replay "$T_TMP/b.pcapng" -c "$T_TMP/p.yaml" --json > "$T_TMP/b0.json"
ka=$(json known "$T_TMP/a0.json"); kb=$(json known "$T_TMP/b0.json")
check "clients learned from complete sessions ($kb)" [ "${kb:-0}" -gt 50 ]
check "a spoofed flood at level 0 evicts and adds no known client ($ka = $kb)" [ "${ka:-x}" = "${kb:-y}" ]
pa=$(json pending "$T_TMP/a0.json"); pb=$(json pending "$T_TMP/b0.json")
check "a spoofed flood leaves no pending state ($pa = $pb)" [ "${pa:-x}" = "${pb:-y}" ]

# 2. A flood alone (one legitimate session for the clock): nothing learned, nothing kept.
R replay "$T_TMP/f.pcapng" -c "$T_TMP/p.yaml" --json > "$T_TMP/f.json"
kf=$(json known "$T_TMP/f.json"); syn=$(grep -c syn_flood "$T_TMP/f.lab")
check "$syn spoofed SYNs teach nothing (known $kf)" [ "${kf:-x}" -le 1 ]
check "spoofed SYNs leave no fragment or pending state" \
	[ "$(json frags "$T_TMP/f.json")" = 0 -a "$(json pending "$T_TMP/f.json")" -le 1 ]

# 3. Level 4 from 9.5 s (the flood runs 10-16 s): known clients pass, new ones and the
#    spoofed SYNs do not.
R replay "$T_TMP/a.pcapng" -c "$T_TMP/p.yaml" --level portal=4@9.5 --verdicts "$T_TMP/a4.csv" >/dev/null
# frame,class + frame,verdict,reason,service,level,dir,...,time
paste -d, <(tail -n +2 "$T_TMP/a.lab") <(tail -n +2 "$T_TMP/a4.csv") > "$T_TMP/j.csv"
count() { awk -F, "$1" "$T_TMP/j.csv" | wc -l; }
flood_pass=$(count '$2=="syn_flood" && $4=="pass"')
flood_all=$(count '$2=="syn_flood"')
check "every spoofed SYN dropped at level 4 ($flood_pass of $flood_all passed)" [ "$flood_pass" -eq 0 -a "$flood_all" -gt 1000 ]
flood_known=$(count '$2=="syn_flood" && $5=="known_client"')
check "no spoofed SYN is a known client ($flood_known)" [ "$flood_known" -eq 0 ]
known=$(count '$2=="legit" && $5=="known_client" && $7==4')
shield=$(count '$2=="legit" && $5=="shield" && $7==4')
check "known clients keep access at level 4 ($known frames)" [ "$known" -gt 100 ]
check "new clients are shielded at level 4 ($shield frames)" [ "$shield" -gt 0 ]
early_drop=$(count '$2=="legit" && $7==0 && $4=="drop"')
check "before the hold no legitimate frame is dropped ($early_drop)" [ "$early_drop" -eq 0 ]
late=$(count '$2=="legit" && $16 >= 9.6 && $7 != 4 && $8 == "in"')
check "the hold is in force from 9.5 s on ($late inbound frames at another level)" [ "$late" -eq 0 ]

# 4. Level 1 against the sample's reflection attack (UDP from 53, 123, ... in fragments).
R gen --scenario sample --seed 2 --duration 6 --syn-pps 0 -o "$T_TMP/r.pcapng" --labels "$T_TMP/r.lab" >/dev/null
R replay "$T_TMP/r.pcapng" -c "$T_TMP/p.yaml" --level portal=1 --verdicts "$T_TMP/r.csv" >/dev/null
paste -d, <(tail -n +2 "$T_TMP/r.lab") <(tail -n +2 "$T_TMP/r.csv") > "$T_TMP/j.csv"
refl=$(count '$2=="reflection"'); refl_pass=$(count '$2=="reflection" && $4=="pass"')
check "level 1 drops every reflected frame ($refl_pass of $refl passed)" [ "$refl" -gt 100 -a "$refl_pass" -eq 0 ]
legit_drop=$(count '$2=="legit" && $4=="drop"')
check "level 1 drops no legitimate frame ($legit_drop)" [ "$legit_drop" -eq 0 ]
reasons=$(awk -F, '$2=="reflection"{print $5}' "$T_TMP/j.csv" | sort -u | tr '\n' ' ')
check "reflected frames carry scrub reasons ($reasons)" \
	bash -c "[ -z \"\$(echo '$reasons' | tr ' ' '\n' | grep -v -e '^$' -e '^frag_unneeded$' -e '^reflection$' -e '^port_unlisted$')\" ]"
t_done
