#!/usr/bin/env bash
# Robustness against the third-party capture corpus ($SHARED/corpus, see its README.md):
# every capture is replayed through the real BPF program (`rempart replay`) with no crash
# and no hang; unsupported or unreadable files are refused cleanly (exit 2, a message);
# damaged files report the frames before the damage (exit 1, the damage named). For
# Ethernet captures the IPv4, IPv6, TCP, UDP, ICMP, ICMPv6 and non-first-fragment counts of
# the verdict CSV must agree with tcpdump's filters on the same file, except the
# disagreements listed and explained in exceptions.tsv. See docs/corpus.md.
#
# Environment: CORPUS_JOBS (parallel workers, default 2), CORPUS_TIMEOUT (seconds per file,
# default 60), CORPUS_ONLY (an awk regex on the manifest paths, to run a subset; the check
# that every exception still occurs then covers the subset only).
# The summary goes to stderr and to $BUILD/corpus-report.txt; the per-file results to
# $BUILD/corpus-results.tsv (columns in replay-one) and $BUILD/corpus-counts.tsv.
source "$(dirname "$0")/../lib.sh"
here=$(cd "$(dirname "$0")" && pwd)
CORPUS=$SHARED/corpus
MANIFEST=$CORPUS/MANIFEST.tsv
EXCEPTIONS=$here/exceptions.tsv
JOBS=${CORPUS_JOBS:-2}
TIMEOUT=${CORPUS_TIMEOUT:-60}
# tcpdump itself checks pcapcount on every file with a disagreement and on this many files
# from each of the corpus feature lists below (VLANs, IPv6 extension headers, fragments).
SAMPLE=${CORPUS_SAMPLE:-12}

if [ ! -d "$CORPUS" ]; then
	skip corpus "no corpus at $CORPUS"
	t_done
fi
if [ ! -f "$MANIFEST" ]; then
	skip corpus "$MANIFEST not found"
	t_done
fi
if [ "$(id -u)" -ne 0 ]; then
	skip corpus "replay loads a BPF program: needs root"
	t_done
fi
if [ ! -x "$REMPART" ]; then
	fail corpus "$REMPART not built"
	t_done
fi
t_tmpdir
mkdir -p "$BUILD"
# Preflight: a plain Ethernet capture must replay, or every file would fail the same way.
ref=$(awk -F'\t' 'FILENAME == ARGV[1] { sub(/:.*/, ""); bad[$0] = 1; next }
	FNR > 1 && $4 == "ether" && $5 + 0 > 0 && $2 !~ /\.gz$/ && !($2 in bad) { print $2; exit }' \
	"$CORPUS/features/file-level-read-failures.txt" "$MANIFEST" 2> /dev/null)
if [ -n "$ref" ] && ! "$REMPART" replay "$CORPUS/$ref" > /dev/null 2> "$T_TMP/preflight.err"; then
	fail corpus "$REMPART cannot replay $ref: $(grep -m1 . "$T_TMP/preflight.err")"
	t_done
fi
# shellcheck source=tests/corpus/filters.bash
source "$here/filters.bash"
export CORPUS REMPART TIMEOUT
export WORK=$T_TMP/work
mkdir -p "$WORK"
# Work on private copies; $BUILD gets copies at the end (another run may write there too).
results=$T_TMP/corpus-results.tsv
counts=$T_TMP/corpus-counts.tsv
report=$T_TMP/corpus-report.txt
note() { echo "corpus.sh: $*" >&2; }

# --- 1. Replay every capture, biggest first so that the workers finish together ----------
awk -F'\t' -v only="${CORPUS_ONLY:-}" \
	'NR > 1 && $2 != "" && $2 ~ only { print $3 "\t" $2 "\t" ($4 == "" ? "?" : $4) }' \
	"$MANIFEST" | sort -t$'\t' -k1,1nr | cut -f2,3 > "$T_TMP/list"
nfiles=$(wc -l < "$T_TMP/list")
note "replaying $nfiles captures with $JOBS workers"
start=$SECONDS
tr '\t\n' '\0\0' < "$T_TMP/list" | xargs -r -0 -n2 -P"$JOBS" bash "$here/replay-one" > "$T_TMP/results"
replay_s=$((SECONDS - start))
sort "$T_TMP/results" > "$results"
got=$(wc -l < "$results")
[ "$got" -eq "$nfiles" ] || fail results "$got result lines for $nfiles files (a worker died without reporting)"

# --- 2. tcpdump's side: libpcap's filters on the Ethernet captures rempart read ----------
# pcapcount counts what `tcpdump -r FILE --count FILTER` counts, for all filters in one pass.
: > "$counts"
compare=1
if ! command -v tcpdump > /dev/null; then
	compare=0 why="tcpdump not installed"
elif ! ${CC:-cc} -O2 -Wall -o "$T_TMP/pcapcount" "$here/pcapcount.c" -lpcap 2> "$T_TMP/cc.err"; then
	compare=0 why="cannot build pcapcount: $(head -n 3 "$T_TMP/cc.err" | tr '\n' ' ')"
fi
if [ $compare = 1 ]; then
	for c in $RP_COUNTERS; do printf '%s\t%s\n' "$c" "$(rp_filter "$c")"; done > "$T_TMP/filters"
	# capture, frames rempart read: pcapcount counts matches among those frames only
	awk -F'\t' '($2 == "ether" || $2 == "EN10MB") && ($3 == "ok" || $3 == "damaged") {
		print $7 "\t" $5 }' "$results" > "$T_TMP/eth"
	"$T_TMP/pcapcount" "$T_TMP/filters" < "$T_TMP/eth" > "$T_TMP/theirs" ||
		{ compare=0 why="pcapcount failed"; }
fi
if [ $compare = 1 ]; then
	# Where libpcap read fewer frames than rempart (never expected: rempart reads with
	# libpcap), count rempart's side over the frames both read.
	awk -F'\t' 'FILENAME == ARGV[1] { t[$1] = $2; next }
		($1 in t) && t[$1] < $2 { print $1 "\t" t[$1] }' "$T_TMP/theirs" "$T_TMP/eth" |
		while IFS=$'\t' read -r cap lim; do
			rel=$(awk -F'\t' -v c="$cap" '$7 == c { print $1; exit }' "$results")
			printf '%s\t%s\n' "$cap" "$(rp_count_csv "$WORK/csv/${rel//[!A-Za-z0-9._-]/_}.csv" "$lim")"
		done > "$T_TMP/recount"
	# path, frames (ours), frames (tcpdump), ours NAME:N..., theirs NAME:N..., libpcap error
	awk -F'\t' '
		FILENAME == ARGV[1] { re[$1] = $2; next }
		FILENAME == ARGV[2] { tf[$1] = $2; tc[$1] = $3; te[$1] = $4; next }
		($2 == "ether" || $2 == "EN10MB") && ($3 == "ok" || $3 == "damaged") {
			o = ($7 in re) ? re[$7] : $8
			print $1 "\t" $5 "\t" tf[$7] "\t" o "\t" tc[$7] "\t" te[$7]
		}' "$T_TMP/recount" "$T_TMP/theirs" "$results" > "$counts"
fi

# --- 3. tcpdump itself on a sample: pcapcount must give exactly its numbers ---------------
tcpdump_count() { # CAPTURE LIMIT FRAMES [FILTER] -> tcpdump --count over the first LIMIT frames
	local t
	if [ "$3" -gt "$2" ]; then # libpcap reads more frames than rempart did: cut with -c
		t=$(tcpdump -nn -r "$1" -c "$2" -w - 2> /dev/null | tcpdump -nn -r - --count ${4:+"$4"} 2> /dev/null)
	else
		t=$(tcpdump -nn -r "$1" --count ${4:+"$4"} 2> /dev/null)
	fi
	t=${t%% *}
	[[ $t =~ ^[0-9]+$ ]] && echo "$t" || echo "?"
}
tcpdump_checked=0 tcpdump_bad=0
if [ $compare = 1 ]; then
	{
		# every file with a disagreement
		awk -F'\t' '{ split($4, o, " "); split($5, t, " "); if ($2 != $3) { print $1; next }
			for (i in o) if (o[i] != t[i]) { print $1; next } }' "$counts"
		# a few from each feature list, and the damaged ones
		for feat in vlan ip6ext ipfrag4 ip6frag ipv6; do
			[ -f "$CORPUS/features/$feat.txt" ] &&
				awk -F'\t' 'FILENAME == ARGV[1] { want[$1] = 1; next } ($1 in want) { print $1 }' \
					"$CORPUS/features/$feat.txt" "$counts" | head -n "$SAMPLE"
		done
		awk -F'\t' '$3 == "damaged" && ($2 == "ether" || $2 == "EN10MB") { print $1 }' "$results"
	} | sort -u > "$T_TMP/sample"
	while IFS= read -r rel; do
		IFS=$'\t' read -r _ ofr tfr _ theirs _ < <(awk -F'\t' -v p="$rel" '$1 == p' "$counts")
		cap=$(awk -F'\t' -v p="$rel" '$1 == p { print $7 }' "$results")
		lim=$ofr
		[ "$lim" -gt 0 ] || continue
		# libpcap's frames: tcpdump with no filter and no limit
		t=$(tcpdump -nn -r "$cap" --count 2> /dev/null)
		[ "${t%% *}" = "$tfr" ] || { tcpdump_bad=$((tcpdump_bad + 1)); note "tcpdump reads ${t%% *} frames of $rel, pcapcount $tfr"; }
		for pair in $theirs; do
			name=${pair%%:*} n=${pair#*:}
			t=$(tcpdump_count "$cap" "$lim" "$tfr" "$(rp_filter "$name")")
			if [ "$t" != "$n" ]; then
				tcpdump_bad=$((tcpdump_bad + 1))
				note "$rel $name: tcpdump --count says $t, pcapcount $n"
			fi
		done
		tcpdump_checked=$((tcpdump_checked + 1))
	done < "$T_TMP/sample"
fi
elapsed=$((SECONDS - start))

# --- 4. Summary ------------------------------------------------------------------------------
# What the Ethernet frames exercised, from the verdict CSVs kept by replay-one.
if [ -d "$WORK/csv" ]; then
	find "$WORK/csv" -name '*.csv' -exec cat {} + | awk -F, '
		$1 == "frame" || NF < 14 { next }
		{ n++; vl[$11]++; r[$3]++; if ($10 != "none") fr[$10]++ }
		END {
			printf "what the %d Ethernet frames exercised:\n", n
			printf "  VLAN tags: none %d, one %d, two %d (more than two: %d, vlan_too_deep)\n", \
				vl[0], vl[1], vl[2], r["vlan_too_deep"]
			printf "  fragments: first %d, later %d\n", fr["first"], fr["later"]
			printf "  parser reasons:"
			k = 0; for (x in r) rs[++k] = r[x] " " x
			for (i = 2; i <= k; i++) { v = rs[i]; j = i - 1
				while (j > 0 && rs[j] + 0 < v + 0) { rs[j + 1] = rs[j]; j-- } rs[j + 1] = v }
			for (i = 1; i <= k; i++) { split(rs[i], a, " "); printf "%s %s %d", (i % 5 == 1 ? "\n   " : ""), a[2], a[1] }
			print ""
		}' > "$T_TMP/coverage"
fi
# Exceptions: path, counter, rempart/tcpdump counts, reason; '#' comments, blank lines.
exc_file=$EXCEPTIONS
[ -f "$exc_file" ] || exc_file=/dev/null
awk -F'\t' -v nfiles="$nfiles" -v elapsed="$elapsed" -v replay_s="$replay_s" -v jobs="$JOBS" \
	-v timeout="$TIMEOUT" -v only="${CORPUS_ONLY:-}" -v compare="$compare" -v why="${why:-}" \
	-v tchecked="$tcpdump_checked" -v tbad="$tcpdump_bad" -v out="$T_TMP/verdict" \
	-v coverage="$T_TMP/coverage" '
function add(s) { lines[++nl] = s }
function sortdesc(arr, n,    i, j, v) { # by the leading number, descending
	for (i = 2; i <= n; i++) { v = arr[i]; j = i - 1
		while (j > 0 && arr[j] + 0 < v + 0) { arr[j + 1] = arr[j]; j-- } arr[j + 1] = v }
}
FILENAME == ARGV[1] { # the exception list
	if (/^#/ || /^[ \t]*$/) next
	if (NF < 4 || $4 == "" || $3 !~ /^[0-9]+\/[0-9]+$/) {
		badexc[++nbadexc] = "line " FNR ": needs path, counter, rempart/tcpdump counts, reason"; next }
	key = $1 SUBSEP $2
	if (key in exc) { badexc[++nbadexc] = "line " FNR ": " $1 " " $2 " listed twice"; next }
	exc[key] = $4; excn[key] = $3; excorder[++nexc] = key
	next
}
FILENAME == ARGV[2] { # per-file results (replay-one)
	path = $1; status = $3; n[status]++; seen[path] = 1
	if (status == "ok" || status == "damaged") { nread++; frames += $5 }
	if (status == "refused") {
		m = $9; sub(/^error: /, "", m)
		if (m ~ /link type .* is not supported/) {
			sub(/ is not supported.*/, "", m); sub(/^link type /, "unsupported link type ", m) }
		refused[m]++
	}
	if (status == "damaged") damaged[++nd] = path ": " $9
	if (status == "crash" || status == "hang" || status == "error") bad[status] = bad[status] "\n    " path ": " $9
	if ($6 + 0 > slowest_s) { slowest_s = $6 + 0; slowest = path }
	next
}
{ # counts: path, frames ours, frames libpcap, ours, theirs, libpcap error
	ncomp++; path = $1; cmp[path] = 1
	nc = split("frames:" $2 " " $4, oc, " "); split("frames:" $3 " " $5, tc, " ")
	if ($3 + 0 < $2 + 0) cframes += $3; else cframes += $2
	for (i = 1; i <= nc; i++) {
		split(oc[i], f, ":"); split(tc[i], g, ":"); name = f[1]
		if (!(name in order)) { order[name] = ++norder; byorder[norder] = name }
		ours[name] += f[2]; theirs[name] += g[2]
		if (f[2] == g[2]) continue
		key = path SUBSEP name
		d = sprintf("%s %s: rempart %s, tcpdump %s", path, name, f[2], g[2])
		if ((key in exc) && excn[key] == f[2] "/" g[2]) {
			used[key] = 1; nexpl[name]++; expl[++ne] = d "\n        " exc[key]
		} else if (key in exc) {
			used[key] = 1; nunexpl[name]++
			unexpl[++nu] = d " (exceptions.tsv expects " excn[key] ": " exc[key] ")"
		} else { nunexpl[name]++; unexpl[++nu] = d }
	}
}
END {
	add(sprintf("rempart corpus report: %d captures in %d s (replays %d s) with %d workers, timeout %d s a file%s",
		nfiles, elapsed, replay_s, jobs, timeout, only != "" ? "; subset /" only "/" : ""))
	add("")
	add(sprintf("  %-46s %8d", "captures in the manifest", nfiles))
	add(sprintf("  %-46s %8d", "read and replayed", nread))
	add(sprintf("  %-46s %8d", "  of which damaged (frames before the damage)", n["damaged"]))
	add(sprintf("  %-46s %8d", "refused with a message (exit 2)", n["refused"]))
	add(sprintf("  %-46s %8d", "frames replayed", frames))
	add(sprintf("  %-46s %8d", "crashes", n["crash"]))
	add(sprintf("  %-46s %8d", "hangs", n["hang"]))
	add(sprintf("  %-46s %8d", "other errors", n["error"]))
	add(sprintf("  %-46s %8.2f  %s", "slowest replay (s)", slowest_s, slowest))
	add("")
	add("refused, by reason:")
	nr = 0; for (m in refused) rs[++nr] = sprintf("%6d  %s", refused[m], m)
	sortdesc(rs, nr)
	for (i = 1; i <= nr; i++) add(rs[i])
	add("")
	add("damaged (read up to the damage):")
	for (i = 1; i <= nd; i++) add("    " damaged[i])
	add("")
	if (compare) {
		add(sprintf("Ethernet captures compared with tcpdump: %d (%d frames read by both)", ncomp, cframes))
		add(sprintf("(pcapcount checked against tcpdump --count itself on %d of them: %d differences)", tchecked, tbad))
		add(sprintf("  %-8s %12s %12s %10s %12s", "counter", "rempart", "tcpdump", "explained", "unexplained"))
		for (i = 1; i <= norder; i++) {
			name = byorder[i]
			add(sprintf("  %-8s %12d %12d %10d %12d", name, ours[name], theirs[name], nexpl[name], nunexpl[name]))
		}
	} else {
		add("counts not compared: " why)
	}
	add("")
	add("explained disagreements (exceptions.tsv):")
	for (i = 1; i <= ne; i++) add("    " expl[i])
	add("")
	while ((getline l < coverage) > 0) add(l)
	# The problems last, where a tail of this report shows them.
	for (s in bad) { add(""); add(s " (FAIL):" bad[s]) }
	add("")
	add("unexplained disagreements (FAIL: investigate, then fix or list in exceptions.tsv):")
	for (i = 1; i <= nu; i++) add("    " unexpl[i])
	nstale = 0
	if (compare) for (i = 1; i <= nexc; i++) {
		key = excorder[i]; split(key, kp, SUBSEP)
		# (a capture that crashed, hung or failed is not compared: other checks fail for it)
		if (used[key] || (only != "" && !(kp[1] in seen)) || ((kp[1] in seen) && !(kp[1] in cmp))) continue
		stale[++nstale] = kp[1] " " kp[2] ": " exc[key]
	}
	add("exceptions that no longer occur (FAIL: remove them from exceptions.tsv):")
	for (i = 1; i <= nstale; i++) add("    " stale[i])
	for (i = 1; i <= nbadexc; i++) add("    exceptions.tsv " badexc[i])
	for (i = 1; i <= nl; i++) print lines[i]
	printf "files=%d\nnread=%d\nrefused=%d\ndamaged=%d\ncrash=%d\nhang=%d\nerror=%d\nframes=%d\n", \
		nfiles, nread, n["refused"], n["damaged"], n["crash"], n["hang"], n["error"], frames > out
	printf "compared=%d\nunexplained=%d\nexplained=%d\nstale=%d\nbadexc=%d\nnexc=%d\n", \
		ncomp, nu, ne, nstale, nbadexc, nexc > out
}' "$exc_file" "$results" "$counts" > "$report"
cp "$report" "$results" "$counts" "$BUILD/"
cat "$report" >&2
note "report in $BUILD/corpus-report.txt, per-file results in $BUILD/corpus-results.tsv and $BUILD/corpus-counts.tsv"
files=0 nread=0 refused=0 damaged=0 crash=0 hang=0 error=0 frames=0
compared=0 unexplained=0 explained=0 stale=0 badexc=0 nexc=0
# shellcheck disable=SC1091
source "$T_TMP/verdict" # sets the variables above

verdict() { # NAME OK-CONDITION(0/1) FAIL-WHY
	if [ "$2" = 1 ]; then pass "$1"; else fail "$1" "$3"; fi
}
verdict "no-crash ($files captures, $frames frames)" $((crash == 0)) \
	"$crash crashed (listed in the report)"
verdict "no-hang ($files captures in ${elapsed}s, timeout ${TIMEOUT}s a file)" $((hang == 0)) \
	"$hang did not finish in ${TIMEOUT}s (listed in the report)"
verdict "clean-exits ($nread read, $damaged of them damaged, $refused refused with a message)" \
	$((error == 0)) "$error ended badly: malformed output, exit 1 without naming damage... (listed in the report)"
if [ $compare = 1 ]; then
	verdict "counts-agree ($compared Ethernet captures, $explained disagreements explained)" \
		$((unexplained == 0 && compared > 0)) \
		"$unexplained unexplained disagreements in $compared Ethernet captures (listed in the report)"
	verdict "counts-are-tcpdumps (pcapcount = tcpdump --count on $tcpdump_checked captures)" \
		$((tcpdump_bad == 0)) "$tcpdump_bad differences between pcapcount and tcpdump --count"
	verdict "exceptions-current (${nexc:-0} in exceptions.tsv)" $((stale + badexc == 0)) \
		"$stale exceptions no longer occur, $badexc malformed lines (listed in the report)"
else
	skip counts-agree "$why"
fi
t_done
