#!/usr/bin/env bash
# A short libFuzzer run of each fuzz target (seconds each: FUZZ_SECONDS, default 20).
# Seeds: small captures from the generator and from ../shared/corpus, and the example configs.
source "$(dirname "$0")/../lib.sh"
t_tmpdir
secs=${FUZZ_SECONDS:-20}

seed_capture() {
	mkdir -p "$T_TMP/cap"
	"$REMPART" gen --scenario sample --duration 1 --legit-sessions 3 -o "$T_TMP/cap/a.pcapng" >/dev/null 2>&1
	"$REMPART" gen --scenario sample --duration 1 --legit-sessions 3 --format pcap --link sll -o "$T_TMP/cap/b.pcap" >/dev/null 2>&1
	if [ -d "$SHARED/corpus" ]; then
		find "$SHARED/corpus" -name '*.pcap*' -size -4k ! -name '*.gz' 2>/dev/null | head -n 200 |
			while read -r f; do cp "$f" "$T_TMP/cap/"; done
	fi
}

run_target() { # NAME SEEDDIR
	local bin="$BUILD/fuzz_$1"
	if [ ! -x "$bin" ]; then
		fail "fuzz_$1" "$bin not built (make $bin)"
		return
	fi
	mkdir -p "$T_TMP/out_$1"
	if timeout $((secs + 60)) "$bin" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
		-artifact_prefix="$T_TMP/out_$1/" "$T_TMP/out_$1" "$2" > "$T_TMP/log_$1" 2>&1; then
		pass "fuzz_$1 ($(grep -o 'Done [0-9]* runs' "$T_TMP/log_$1" | grep -o '[0-9]*' || echo '?') runs in ${secs}s)"
	else
		tail -n 30 "$T_TMP/log_$1" >&2
		mkdir -p "$BUILD/fuzz-crashes"; cp "$T_TMP/out_$1"/crash-* "$BUILD/fuzz-crashes/" 2>/dev/null
		fail "fuzz_$1" "crash or timeout; inputs saved in $BUILD/fuzz-crashes"
	fi
}

seed_capture
run_target capture "$T_TMP/cap"
mkdir -p "$T_TMP/cfg"; cp docs/examples/*.yaml "$T_TMP/cfg/" 2>/dev/null
run_target config "$T_TMP/cfg"
t_done
