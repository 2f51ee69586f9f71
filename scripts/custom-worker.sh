#!/usr/bin/env bash
# A user's own package, built the way users build it: examples/custom-worker (its own `shop` task
# module, its own `tagging` middleware, its own main, Taskiq by path) is built in RELEASE with its
# own .build, then driven through its own JSON config: every task kicked with --wait and its printed
# result compared exactly, the failing task's exit status and message, `tasks`, `check` of the good
# config and of broken.json (a middleware option of the wrong type: exit 2 naming the file and the
# option's JSON path), and `schema`. Release matters: the optimiser once broke every task of two or
# more parameters in a user's package while debug builds and the test suite stayed green.
#
#   scripts/custom-worker.sh              # build (release) and check
#   scripts/custom-worker.sh --no-build   # check the binary built before
#
# Environment: CUSTOM_WORKER_BUILD_TIMEOUT (seconds for the build, default 1800),
# CUSTOM_WORKER_RUN_TIMEOUT (seconds for each command, default 60).
# Exit status 0 when every check passed, 1 when one failed, 2 for a usage or build error.
# The last line is always `custom-worker: N passed, M failed` (or says why nothing ran).
set -uo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
package="$root/examples/custom-worker"
build_timeout=${CUSTOM_WORKER_BUILD_TIMEOUT:-1800}
run_timeout=${CUSTOM_WORKER_RUN_TIMEOUT:-60}
build=1
for argument in "$@"; do
    case "$argument" in
        --no-build) build=0 ;;
        -h|--help) sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "custom-worker: unknown argument '$argument' (try --help)" >&2; exit 2 ;;
    esac
done

bounded() {
    if command -v timeout >/dev/null 2>&1; then timeout -k 5 "$@"; else shift; "$@"; fi
}

if [[ $build == 1 ]]; then
    echo "custom-worker: swift build -c release --package-path examples/custom-worker"
    if ! bounded "$build_timeout" swift build -c release --package-path "$package"; then
        echo "custom-worker: the release build of examples/custom-worker failed (or took over ${build_timeout} s)" >&2
        echo "custom-worker: 0 passed, 1 failed"
        exit 2
    fi
fi
bin_dir=$(swift build -c release --package-path "$package" --show-bin-path) || exit 2
binary="$bin_dir/shop-worker"
if [[ ! -x $binary ]]; then
    echo "custom-worker: no release binary at $binary (run without --no-build)" >&2
    echo "custom-worker: 0 passed, 1 failed"
    exit 2
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/custom-worker.XXXXXX") || exit 2
trap 'rm -rf "$work"' EXIT
passed=0
failed=0
status=0

# run ARGS...: runs the binary in the package's directory (so the configs are named as a user
# names them), bounded in time, with stdout, stderr and the exit status kept for the checks.
run() {
    (cd "$package" && unset TASKIQ_CONFIG && bounded "$run_timeout" "$binary" "$@") >"$work/out" 2>"$work/err"
    status=$?
}

# fail NAME WHY: records a failed check with everything needed to see why.
fail() {
    failed=$((failed + 1))
    {
        echo "custom-worker: FAIL $1: $2"
        echo "  exit status: $status"
        echo "  stdout (first 40 lines):"; head -n 40 "$work/out" | sed 's/^/    | /'
        echo "  stderr (first 40 lines):"; head -n 40 "$work/err" | sed 's/^/    | /'
    } >&2
}

pass() {
    passed=$((passed + 1))
    echo "custom-worker: ok   $1"
}

# expect_result NAME EXPECTED TASK ARGS...: `kick --wait` exits 0 and prints exactly EXPECTED.
expect_result() {
    local name=$1 expected=$2
    shift 2
    run kick -c taskiq.json "$@" --wait --timeout 20
    if [[ $status != 0 ]]; then
        fail "$name" "expected exit status 0"
    elif ! cmp -s <(printf '%s\n' "$expected") "$work/out"; then
        fail "$name" "expected stdout to be exactly '$expected'"
    else
        pass "$name"
    fi
}

# expect_failure NAME STATUS PATTERN ARGS...: exits with STATUS, nothing on stdout, and a line of
# stderr matches the extended regular expression PATTERN.
expect_failure() {
    local name=$1 expected_status=$2 pattern=$3
    shift 3
    run "$@"
    if [[ $status != "$expected_status" ]]; then
        fail "$name" "expected exit status $expected_status"
    elif [[ -s $work/out ]]; then
        fail "$name" "expected nothing on stdout"
    elif ! grep -Eq -- "$pattern" "$work/err"; then
        fail "$name" "expected a line on stderr matching /$pattern/"
    else
        pass "$name"
    fi
}

# expect_lines NAME LINE...: the last command exited 0 and printed every LINE as a whole line
# (leading spaces ignored).
expect_lines() {
    local name=$1 line
    shift
    if [[ $status != 0 ]]; then fail "$name" "expected exit status 0"; return; fi
    for line in "$@"; do
        if ! sed 's/^ *//' "$work/out" | grep -Fx -- "$line" >/dev/null; then
            fail "$name" "expected the line '$line' on stdout"
            return
        fi
    done
    pass "$name"
}

# Each task shape, through the config's in-memory broker and backend and the tagging middleware.
expect_result "two-parameter async task" 57 shop.total 19 3
expect_result "synchronous two-parameter task" '"3 x apple"' shop.line apple 3
expect_result "Void task taking a Codable struct" null shop.record '{"id":7,"items":["apple","pear"]}'
expect_result "three-parameter task" 14.5 shop.quote 2.5 4 true
expect_result "middleware from the config labels the message" '"spring-sale"' shop.tag

# Failures are results and exit status 1, never a trap.
expect_failure "throwing task exits 1 with its error" 1 \
    '^shop-worker: task shop\.refund \([0-9a-f]+\) failed: ShopError: order 7 cannot be refunded: the refund desk is closed$' \
    kick -c taskiq.json shop.refund 7 --wait --timeout 20
expect_failure "Void task's own error" 1 \
    '^shop-worker: task shop\.record \([0-9a-f]+\) failed: ShopError: shop\.record: order 8 has no items$' \
    kick -c taskiq.json shop.record '{"id":8,"items":[]}' --wait --timeout 20
# Arguments are checked against the compiled signature before sending: a usage error (2).
expect_failure "two-parameter task counts its parameters" 2 \
    "args\[2\]: task 'shop\.total' takes 2 arguments but 3 positional were given" \
    kick -c taskiq.json shop.total 1 2 3 --wait --timeout 20
expect_failure "three-parameter task names a missing argument" 2 \
    "task 'shop\.quote' missing argument 3 \('express'\) of type Bool" \
    kick -c taskiq.json shop.quote 2.5 4 --wait --timeout 20
expect_failure "overflow is an error result" 1 \
    'failed: ShopError: shop\.total: 9223372036854775807 x 2 overflows Int$' \
    kick -c taskiq.json shop.total 9223372036854775807 2 --wait --timeout 20

# Listings: the module and every signature, parameter names and types from the definitions.
signatures=(
    "shop.line(item: String, quantity: Int) -> String"
    "shop.quote(price: Double, quantity: Int, express: Bool) -> Double"
    "shop.record(order: Order) -> Void"
    "shop.refund(order_id: Int) -> Int"
    "shop.tag() -> String"
    "shop.total(price: Int, quantity: Int) -> Int"
)
run tasks -c taskiq.json
expect_lines "tasks lists the shop module and its signatures" "shop (broker: default)" "${signatures[@]}"
run check -c taskiq.json
expect_lines "check accepts the package's own config" "taskiq.json: OK" '"type": "tagging",' \
    '"label_name": "tag",' '"label_value": "spring-sale"' "${signatures[@]}"
run schema
expect_lines "schema describes the registered middleware" '"const": "tagging"' '"label_value": {'

# A middleware option of the wrong type: exit 2, naming the file and the option's JSON path.
expect_failure "check rejects a mistyped middleware option" 2 \
    '^shop-worker: .*broken\.json.*middlewares\[0\]\.label_value.*expected a string' \
    check -c broken.json

echo "custom-worker: $passed passed, $failed failed"
[[ $failed == 0 ]]
