#!/usr/bin/env bash
# Formats the Swift sources with the toolchain's own formatter (`swift format`) and the house
# configuration in .swift-format. `bash scripts/format.sh` rewrites the files in place;
# `bash scripts/format.sh --check` changes nothing and fails on any finding (what .ci/run runs).
set -euo pipefail
cd "$(dirname "$0")/.."

# Every Swift file we own: the package, its tests, the fuzz targets, the example user package
# and the toolchain reproductions.
paths=(Package.swift Sources Tests fuzz examples docs/toolchain)

case "${1:-}" in
    --check) exec swift format lint --strict --recursive --parallel "${paths[@]}" ;;
    "") exec swift format format --in-place --recursive --parallel "${paths[@]}" ;;
    *) echo "usage: scripts/format.sh [--check]" >&2; exit 2 ;;
esac
