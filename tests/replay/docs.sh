#!/usr/bin/env bash
# The documentation that lists machine facts must match the binary.
source "$(dirname "$0")/../lib.sh"
t_tmpdir
"$REMPART" reasons > "$T_TMP/reasons"
sed -n '/^```$/,/^```$/p' docs/reasons.md | sed '1d;$d' > "$T_TMP/doc"
check "docs/reasons.md lists exactly what 'rempart reasons' prints" cmp -s "$T_TMP/reasons" "$T_TMP/doc"
"$REMPART" --help > "$T_TMP/help"
for c in run stop stats replay check gen bench reasons geo; do
	check "'rempart $c --help' exits 0 and prints usage" bash -c "'$REMPART' $c --help | grep -q '^usage: rempart $c'"
done
"$REMPART" nosuchcommand > /dev/null 2>&1
check "unknown command exits 2" [ $? -eq 2 ]
t_done
