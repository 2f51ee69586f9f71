#!/usr/bin/env bash
# Builds the libFuzzer targets in fuzz/ and runs them; see fuzz/README.md.
#
#   scripts/fuzz.sh [TARGET|all] [SECONDS]   fuzz each target for SECONDS (default 60)
#   scripts/fuzz.sh TARGET FILE...           run a target once on saved inputs (reproduce a crash)
#   scripts/fuzz.sh build                    only build
#
# TARGET is one of: message zmtp resp amqp nats config tzif. New inputs go to .build-fuzz/findings/TARGET,
# crashing ones to .build-fuzz/crashes/TARGET (both git-ignored). Exits non-zero, naming the
# crashing input, when a target crashes, leaks, times out or runs out of memory.
set -uo pipefail
cd "$(dirname "$0")/.."

targets=(message zmtp resp amqp nats config tzif)
# The Swift runtime's backtracer would symbolicate a crash for minutes before libFuzzer could
# save the input; ASan's and libFuzzer's own stack traces are enough.
export SWIFT_BACKTRACE=enable=no
build=.build-fuzz
swift_flags=(-O -wmo -parse-as-library -swift-version 6 -enable-upcoming-feature ExistentialAny
             -package-name taskiq_swift -sanitize=fuzzer,address -warnings-as-errors -I "$build")

# Compiles one library module of the package into a static archive, with coverage instrumentation
# and ASan, when any of its sources (or this script) is newer than the archive.
build_module() {
    local module=$1
    local archive="$build/lib$module.a"
    if [[ -f $archive && -z $(find "Sources/$module" "$0" -newer "$archive" -print -quit) ]]; then
        return 0
    fi
    echo "fuzz: compiling $module" >&2
    local sources
    mapfile -t sources < <(find "Sources/$module" -name '*.swift' | sort)
    swiftc "${swift_flags[@]}" -module-name "$module" -emit-library -static -emit-module \
        -emit-module-path "$build/$module.swiftmodule" -o "$archive" "${sources[@]}"
}

# Compiles the libraries one target needs (listed dependents first, so compiled in reverse), then
# links its harness.
build_target() {
    local target=$1 file libraries
    case $target in
        message) file=FuzzMessage; libraries=(Taskiq) ;;
        zmtp) file=FuzzZMTP; libraries=(TaskiqZeroMQ Taskiq) ;;
        resp) file=FuzzRESP; libraries=(TaskiqRedis Taskiq) ;;
        amqp) file=FuzzAMQP; libraries=(TaskiqRabbitMQ Taskiq) ;;
        nats) file=FuzzNATS; libraries=(TaskiqNATS Taskiq) ;;
        tzif) file=FuzzTZif; libraries=(Taskiq) ;;
        config) file=FuzzConfig; libraries=(TaskiqExamples TaskiqConfig TaskiqNATS TaskiqRedis TaskiqZeroMQ TaskiqRabbitMQ Taskiq) ;;
        *) echo "fuzz: unknown target '$target'; expected one of: ${targets[*]} or all" >&2; return 2 ;;
    esac
    local index
    for ((index = ${#libraries[@]} - 1; index >= 0; index--)); do build_module "${libraries[index]}" || return 1; done
    local binary="$build/fuzz-$target" archives=()
    for library in "${libraries[@]}"; do archives+=("$build/lib$library.a"); done
    if [[ -x $binary && -z $(find "fuzz/Targets/$file.swift" fuzz/Targets/Support "${archives[@]}" -newer "$binary" -print -quit) ]]; then
        return 0
    fi
    echo "fuzz: linking $binary" >&2
    # ld.gold warns "Cannot export local symbol" for every ASan-instrumented global: harmless.
    swiftc "${swift_flags[@]}" -module-name "Fuzz_$target" "fuzz/Targets/$file.swift" fuzz/Targets/Support/*.swift \
        "${archives[@]}" -o "$binary" 2> >(grep -v 'Cannot export local symbol' >&2)
}

build_all() {
    mkdir -p "$build"
    for target in "$@"; do build_target "$target" || return 1; done
}

# Fuzzes one target for a bounded time from its committed seeds and earlier findings.
run_target() {
    local target=$1 seconds=$2
    local findings="$build/findings/$target" crashes="$build/crashes/$target/" log="$build/fuzz-$target.log"
    mkdir -p "$findings" "$crashes"
    local dictionary=()
    [[ -f fuzz/dictionaries/$target.dict ]] && dictionary=(-dict="fuzz/dictionaries/$target.dict")
    echo "fuzz: $target for ${seconds}s (log $log)" >&2
    ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:allocator_may_return_null=0} \
        "$build/fuzz-$target" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=16384 \
        -print_final_stats=1 -artifact_prefix="$crashes" "${dictionary[@]}" \
        "$findings" "fuzz/corpus/$target" >"$log" 2>&1
    local status=$?
    local runs rate
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
    rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log")
    if [[ $status -ne 0 ]]; then
        echo "fuzz: $target FAILED (exit $status) after ${runs:-?} runs; the end of its log:" >&2
        grep -v 'Cannot export local symbol' "$log" | tail -n 40 >&2
        local input
        input=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$log" | tail -n 1)
        if [[ -n $input ]]; then
            echo "fuzz: crashing input: $input" >&2
            echo "fuzz: reproduce with: scripts/fuzz.sh $target $input" >&2
        fi
        return 1
    fi
    echo "fuzz: $target ok: ${runs:-?} runs, ${rate:-?} exec/s, corpus $(ls "$findings" | wc -l) new + $(ls "fuzz/corpus/$target" | wc -l) seeds" >&2
}

what=${1:-all}
if [[ $what == build ]]; then
    build_all "${targets[@]}"
    exit
fi
if [[ $what == all ]]; then selected=("${targets[@]}"); else selected=("$what"); fi
build_all "${selected[@]}" || { echo "fuzz: build failed" >&2; exit 1; }

if [[ $# -ge 2 && -e $2 ]]; then
    shift
    exec "$build/fuzz-$what" "$@"
fi

seconds=${2:-60}
failed=()
for target in "${selected[@]}"; do
    run_target "$target" "$seconds" || failed+=("$target")
done
if [[ ${#failed[@]} -gt 0 ]]; then
    echo "fuzz: failed: ${failed[*]}" >&2
    exit 1
fi
