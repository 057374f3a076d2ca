#!/usr/bin/env bash
# The geo-fence (level 3) on generated captures, judged per source with the built-in dataset:
# 1. armed by configuration (level_floor 3): legitimate clients from Europe are never fenced,
#    no frame from a source outside Europe passes, legitimate or attack;
# 2. what beats the Paris procedure: armed when the attack starts, clients from outside
#    Europe who completed sessions in peacetime (known clients) keep access, new clients from
#    the same countries do not.
source "$(dirname "$0")/../lib.sh"
t_tmpdir
need_root "replay loads a BPF program: needs root"
R() { "$REMPART" "$@"; }

cat > "$T_TMP/p0.yaml" <<'YAML'
tenants:
  - name: aphp
    services:
      - name: portal
        addresses: [192.0.2.10, "2001:db8:10::10"]
        ports: [tcp/443, tcp/80, icmp, icmpv6]
        fence: { allow: [europe] }
YAML
sed 's/^        fence:/        level_floor: 3\n        fence:/' "$T_TMP/p0.yaml" > "$T_TMP/p3.yaml"

# Legitimate clients from FR, DE, MA, DZ, US, JP (docs/generator.md); spoofed SYNs from
# everywhere, 6 s to 11 s.
R gen --scenario synflood --seed 7 --duration 12 --attack-start 6 --attack-end 11 \
	-o "$T_TMP/a.pcapng" --labels "$T_TMP/a.lab" >/dev/null
# The source of every frame (tcpdump numbers frames as replay does), and whether the dataset
# puts it in Europe: "addr 1" or "addr 0".
tcpdump -nn -q -r "$T_TMP/a.pcapng" 2>/dev/null | awk '{
	s = $3
	if ($2 == "IP") { n = split(s, p, "."); if (n == 5) s = p[1] "." p[2] "." p[3] "." p[4] }
	else if (index(s, ".")) sub(/\.[^.]*$/, "", s)
	print s }' > "$T_TMP/src"
check "tcpdump read one source per frame" [ "$(wc -l < "$T_TMP/src")" -eq "$(($(wc -l < "$T_TMP/a.lab") - 1))" ]
sort -u "$T_TMP/src" | xargs "$REMPART" geo lookup |
	awk '{eu = 0; for (i = 3; i <= NF; i++) if ($i == "europe") eu = 1; print $1, eu}' > "$T_TMP/eu"

# Joined rows: label (2 fields), verdict row (15 fields), source: $2 class, $4 verdict,
# $5 reason, $8 dir, $16 time, $17 country, $18 source.
join_rows() { paste -d, <(tail -n +2 "$T_TMP/a.lab") <(tail -n +2 "$1") "$T_TMP/src"; }
# count AWK-CONDITION FILE: inbound frames matching, with eu[$18] the source's Europe flag.
count() {
	awk -F, -v c=0 'NR == FNR { split($0, a, " "); eu[a[1]] = a[2]; next }
		$8 == "in" && ('"$1"') { c++ } END { print c }' "$T_TMP/eu" "$2"
}

# 1. Armed by configuration.
R replay "$T_TMP/a.pcapng" -c "$T_TMP/p3.yaml" --verdicts "$T_TMP/a3.csv" > "$T_TMP/r3.txt"
join_rows "$T_TMP/a3.csv" > "$T_TMP/j3"
le=$(count '$2 == "legit" && eu[$18]' "$T_TMP/j3")
le_pass=$(count '$2 == "legit" && eu[$18] && $4 == "pass"' "$T_TMP/j3")
le_fenced=$(count '$2 == "legit" && eu[$18] && $5 == "geo_fence"' "$T_TMP/j3")
ln=$(count '$2 == "legit" && !eu[$18]' "$T_TMP/j3")
ln_pass=$(count '$2 == "legit" && !eu[$18] && $4 == "pass"' "$T_TMP/j3")
ae=$(count '$2 == "syn_flood" && eu[$18]' "$T_TMP/j3")
ae_pass=$(count '$2 == "syn_flood" && eu[$18] && $4 == "pass"' "$T_TMP/j3")
an=$(count '$2 == "syn_flood" && !eu[$18]' "$T_TMP/j3")
an_pass=$(count '$2 == "syn_flood" && !eu[$18] && $4 == "pass"' "$T_TMP/j3")
echo "  fence armed by config: legit from Europe $le_pass/$le passed, legit from elsewhere" \
	"$ln_pass/$ln, attack from Europe $ae_pass/$ae, attack from elsewhere $an_pass/$an"
check "fence by config: no legitimate frame from Europe is fenced ($le_fenced of $le)" \
	[ "$le" -gt 100 -a "$le_fenced" -eq 0 ]
check "fence by config: no legitimate frame from outside Europe passes ($ln_pass of $ln)" \
	[ "$ln" -gt 100 -a "$ln_pass" -eq 0 ]
check "fence by config: no attack frame from outside Europe passes ($an_pass of $an)" \
	[ "$an" -gt 1000 -a "$an_pass" -eq 0 ]
check "fence by config: geo_fence drops carry the country" \
	[ "$(count '$5 == "geo_fence" && $17 == ""' "$T_TMP/j3")" -eq 0 ]
check "the summary names the dataset" grep -q "geo fence (dataset geo-whois-asn-country" "$T_TMP/r3.txt"

# 2. Armed at 6 s, when the attack starts.
R replay "$T_TMP/a.pcapng" -c "$T_TMP/p0.yaml" --level portal=3@6 --verdicts "$T_TMP/a0.csv" > /dev/null
join_rows "$T_TMP/a0.csv" > "$T_TMP/j0"
awk -F, 'NR == FNR { split($0, a, " "); eu[a[1]] = a[2]; next }
	$8 != "in" || $2 != "legit" || eu[$18] { next }
	$16 < 6 { before[$18] = 1; next }
	$16 >= 6.2 && !($18 in before) { print "new", $18, $4, $5 }
	$16 >= 6.2 && ($18 in before) { print "old", $18, $4, $5 }' "$T_TMP/eu" "$T_TMP/j0" > "$T_TMP/after"
new=$(awk '$1 == "new"' "$T_TMP/after" | wc -l)
new_pass=$(awk '$1 == "new" && $3 == "pass"' "$T_TMP/after" | wc -l)
known=$(awk '$4 == "known_client" { print $2 }' "$T_TMP/after" | sort -u | wc -l)
old=$(awk '$1 == "old" { print $2 }' "$T_TMP/after" | sort -u | wc -l)
known_dropped=$(awk 'NR == FNR { if ($4 == "known_client") k[$2] = 1; next } k[$2] && $3 == "drop"' \
	"$T_TMP/after" "$T_TMP/after" | wc -l)
echo "  fence armed at 6 s: $known of $old returning clients from outside Europe known;" \
	"new clients from outside Europe $new_pass/$new frames passed"
check "Paris: returning clients from outside Europe keep access ($known of $old known)" \
	[ "$old" -ge 5 -a "$known" -ge $((old * 3 / 4)) ]
check "Paris: a known client is never dropped ($known_dropped frames)" [ "$known_dropped" -eq 0 ]
check "Paris: new clients from the same countries are fenced ($new_pass of $new passed)" \
	[ "$new" -gt 50 -a "$new_pass" -eq 0 ]
t_done
