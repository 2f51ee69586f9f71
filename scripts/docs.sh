#!/usr/bin/env bash
# Builds the API reference and articles of every library module into one static DocC site in
# .build/docs, with the toolchain's own tools (no plugin package):
#
#   1. `swift build` (the normal debug build; a no-op when it is current, as in CI after the tests);
#   2. `swift-symbolgraph-extract` reads each module's public symbols from that build's modules
#      (about a second for all of them; emitting symbol graphs from the compiler instead would need
#      a second full build in its own scratch path, about two minutes on a 2-core machine);
#   3. checks that every public symbol declared in Sources/<Module> has a doc comment, listing the
#      ones that do not with file:line;
#   4. `docc convert` each catalog Sources/<Module>/<Module>.docc with its symbol graphs, warnings
#      as errors, linking to the modules it depends on (write such links as ``/Taskiq/TaskiqError``);
#   5. `docc merge` joins the archives into one site with a landing page listing the modules.
#
# Exits non-zero when a symbol is undocumented or docc reports any warning. Then view the site:
#   python3 -m http.server -d .build/docs 8000     # and open http://localhost:8000/documentation/
# DOCS_HOSTING_BASE_PATH=/taskiq-swift builds it for a server that hosts it under that path.
set -euo pipefail
cd "$(dirname "$0")/.."

# Library modules, each after the modules its documentation links to. Modules in one group are
# converted in parallel; a group may link to every module of the groups before it.
groups=(
    "Taskiq"
    "TaskiqRedis TaskiqZeroMQ TaskiqRabbitMQ TaskiqNATS TaskiqExamples"
    "TaskiqConfig"
    "TaskiqDiagnostics"
)
executables=" taskiq-run "
read -r -a modules <<<"${groups[*]}"
for dir in Sources/*/; do
    name=$(basename "$dir")
    if [[ " ${modules[*]} " != *" $name "* && "$executables" != *" $name "* ]]; then
        echo "docs: Sources/$name is not in scripts/docs.sh's module groups; add it" >&2
        exit 1
    fi
done

tool() {
    if command -v "$1" >/dev/null; then command -v "$1"
    elif [ -x "$(dirname "$(command -v swift)")/$1" ]; then echo "$(dirname "$(command -v swift)")/$1"
    elif command -v xcrun >/dev/null; then xcrun --find "$1"
    else echo "docs: $1 not found next to swift" >&2; return 1
    fi
}
docc=$(tool docc)
extract=$(tool swift-symbolgraph-extract)

work=.build/docs-work
site=.build/docs
start=$SECONDS

swift build
bin=$(swift build --show-bin-path)
module_dir="$bin/Modules"
[ -d "$module_dir" ] || module_dir="$bin"
triple=$(basename "$(dirname "$bin")")
extract_flags=(-I "$module_dir" -minimum-access-level public -emit-extension-block-symbols)
if [ "$(uname)" = Darwin ]; then
    # SwiftPM builds for the package's deployment target (Package.swift: macOS 15).
    extract_flags+=(-target "${triple}15.0" -sdk "$(xcrun --show-sdk-path)")
else
    extract_flags+=(-target "$triple")
fi

rm -rf "$work" "$site"
mkdir -p "$work/symbol-graphs" "$work/archives" "$work/logs"
for module in "${modules[@]}"; do
    mkdir -p "$work/symbol-graphs/$module"
    "$extract" -module-name "$module" -output-dir "$work/symbol-graphs/$module" "${extract_flags[@]}"
done

# Coverage: a public symbol declared in our sources needs a doc comment, its own or the one it
# inherits from the protocol requirement it implements (DocC shows that one). Symbols without a
# source location (memberwise initialisers, synthesised Equatable/Hashable members), default
# implementations that protocol extensions lend to a type (documented where they are written),
# and extension blocks are not counted.
coverage=0
python3 - "$work/symbol-graphs" "${modules[@]}" <<'PYTHON' || coverage=$?
import glob, json, os, sys
from urllib.parse import unquote, urlparse

root, modules = sys.argv[1], sys.argv[2:]
cwd = os.getcwd()
total = missing = 0
for module in modules:
    source_dir = os.path.join(cwd, "Sources", module) + os.sep
    seen, undocumented = set(), []
    for path in sorted(glob.glob(os.path.join(root, module, "*.symbols.json"))):
        with open(path) as file:
            graph = json.load(file)
        for symbol in graph["symbols"]:
            usr = symbol["identifier"]["precise"]
            location = symbol.get("location")
            if (usr in seen or symbol["kind"]["identifier"] == "swift.extension"
                    or "::SYNTHESIZED::" in usr or not location):
                continue
            file_path = unquote(urlparse(location["uri"]).path)
            if not file_path.startswith(source_dir):
                continue
            seen.add(usr)
            lines = symbol.get("docComment", {}).get("lines", [])
            if not any(line["text"].strip() for line in lines):
                undocumented.append((os.path.relpath(file_path, cwd), location["position"]["line"] + 1,
                                     symbol["kind"]["displayName"], ".".join(symbol["pathComponents"])))
    total += len(seen)
    missing += len(undocumented)
    for file_path, line, kind, name in sorted(undocumented):
        print(f"{file_path}:{line}: undocumented public {kind.lower()} {name}", file=sys.stderr)
    print(f"docs: {module}: {len(seen)} public symbols, {len(undocumented)} undocumented")
print(f"docs: {total} public symbols, {missing} undocumented")
sys.exit(1 if missing else 0)
PYTHON

# Converts each group's modules in parallel, each linking to the archives of the groups before it.
failed=()
dependencies=()
base_path=()
[ -z "${DOCS_HOSTING_BASE_PATH:-}" ] || base_path=(--hosting-base-path "$DOCS_HOSTING_BASE_PATH")
for group in "${groups[@]}"; do
    pids=()
    started=()
    read -r -a members <<<"$group"
    if [ "${#failed[@]}" -ne 0 ]; then
        # Their links to a failed module could not resolve; fix that one first.
        echo "docs: not converted, as modules before them failed: ${members[*]}" >&2
        continue
    fi
    for module in "${members[@]}"; do
        catalog="Sources/$module/$module.docc"
        if [ ! -d "$catalog" ]; then
            echo "docs: $catalog is missing: every library module needs a catalog with its overview page" >&2
            failed+=("$module")
            continue
        fi
        "$docc" convert "$catalog" \
            --additional-symbol-graph-dir "$work/symbol-graphs/$module" \
            --output-path "$work/archives/$module.doccarchive" \
            --warnings-as-errors \
            --transform-for-static-hosting "${base_path[@]}" \
            --enable-experimental-external-link-support "${dependencies[@]}" \
            >"$work/logs/$module.log" 2>&1 &
        pids+=("$!")
        started+=("$module")
    done
    for index in "${!pids[@]}"; do
        module=${started[$index]}
        status=0
        wait "${pids[$index]}" || status=$?
        # docc prints each warning (an error, with --warnings-as-errors) with the lines around it.
        if [ "$status" -ne 0 ] || grep -qE '^(warning|error):' "$work/logs/$module.log"; then
            echo "docs: docc convert $module failed (exit $status):" >&2
            cat "$work/logs/$module.log" >&2
            failed+=("$module")
        fi
    done
    for module in "${members[@]}"; do
        dependencies+=(--dependency "$work/archives/$module.doccarchive")
    done
done

if [ "$coverage" -ne 0 ] || [ "${#failed[@]}" -ne 0 ]; then
    [ "$coverage" -eq 0 ] || echo "docs: undocumented public symbols (listed above)" >&2
    [ "${#failed[@]}" -eq 0 ] || echo "docs: docc warnings or errors in: ${failed[*]}" >&2
    exit 1
fi

archives=()
for module in "${modules[@]}"; do archives+=("$work/archives/$module.doccarchive"); done
"$docc" merge "${archives[@]}" --output-path "$site" \
    --synthesized-landing-page-name "Taskiq for Swift" --synthesized-landing-page-kind Package
# The site's pages live under documentation/; its root only sends a browser there.
printf '<!doctype html><meta charset="utf-8"><meta http-equiv="refresh" content="0; url=documentation/">\n<a href="documentation/">Taskiq for Swift documentation</a>\n' >"$site/index.html"

echo "docs: site for ${#modules[@]} modules in $site ($((SECONDS - start)) s)."
if [ -z "${DOCS_HOSTING_BASE_PATH:-}" ]; then
    echo "View it with: python3 -m http.server -d $site 8000   and open http://localhost:8000/documentation/"
else
    echo "It expects to be served under $DOCS_HOSTING_BASE_PATH/ (its pages at $DOCS_HOSTING_BASE_PATH/documentation/)."
fi
