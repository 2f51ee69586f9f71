#!/usr/bin/env bash
# Runs the whole test suite against a release build, as users deploy it.
#
# The end-to-end tests launch .build/release/taskiq-run exactly as `swift build -c release` makes
# it (TASKIQ_RUN). The test bundle itself needs -enable-testing for `@testable import`, so it is
# built in its own scratch folder, where that flag cannot reach the shipped binary.
# Extra arguments go to `swift test` (for example `--filter PackArityTests`).
set -euo pipefail
cd "$(dirname "$0")/.."

swift build -c release
TASKIQ_RUN="$PWD/.build/release/taskiq-run" \
    swift test -c release -Xswiftc -enable-testing --scratch-path .build-release-tests "$@"
