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
