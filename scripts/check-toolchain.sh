#!/usr/bin/env bash
# Checks the installed Swift toolchain for the optimiser faults this project works around
# (docs/toolchain/). Prints what it finds; exits 1 when a probe cannot be built or Sources use a
# form a present fault miscompiles.
# Run it after a toolchain upgrade: when a fault is gone, its workaround may go too.
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
swiftc -O docs/toolchain/pack-loop.swift -o "$work/pack-loop" 2>"$work/log" || { cat "$work/log" >&2; exit 1; }
output=$("$work/pack-loop")
echo "$output" | sed 's/^/pack-loop: /'
if [ "$(echo "$output" | awk '{print $(NF-3), $(NF-2), $(NF-1), $NF}' | sort -u)" = "3 3 3 3" ]; then
    echo "pack-loop: this toolchain counts every form correctly under -O"
else
    echo "pack-loop: FAULT PRESENT in $(swiftc --version 2>&1 | head -1): 'for _ in repeat' miscounts in unspecialised code (docs/toolchain/pack-loop.md); TaskDefinition avoids that form"
fi
swiftc -O -parse-as-library docs/toolchain/async-tuple-result.swift -o "$work/async-tuple-result" 2>"$work/log" || { cat "$work/log" >&2; exit 1; }
output=$("$work/async-tuple-result")
echo "$output" | sed 's/^/async-tuple-result: /'
if [ "$(echo "$output" | grep -c ': 0 of ')" = "$(echo "$output" | wc -l)" ]; then
    echo "async-tuple-result: this toolchain keeps every field of a task closure's tuple result under -O"
else
    echo "async-tuple-result: FAULT PRESENT in $(swiftc --version 2>&1 | head -1): a task closure returning (x, .success(try await …)) from do/catch loses x (docs/toolchain/async-tuple-result.md); no code in Sources returns tuples from task closures"
fi
# The guard that keeps Sources clear of the form the fault miscompiles: a tuple returned with an
# awaited value, or a task group or Task whose result is a tuple. Fails CI when one appears.
found=$(grep -rnE "return \(.*try await|withTaskGroup\(of: \(|withThrowingTaskGroup\(of: \(|Task<\(" Sources || true)
if [ -n "$found" ]; then
    echo "async-tuple-result: Sources return tuples from task closures, which this toolchain can miscompile (docs/toolchain/async-tuple-result.md):" >&2
    echo "$found" >&2
    exit 1
fi
