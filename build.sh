#!/usr/bin/env bash
# Splinter.Interop build driver. Run `./build.sh --help` for the verbs.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ARTIFACTS="$ROOT/artifacts"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
export MSBUILDDISABLENODEREUSE=1

# Debian packages the build needs, with a command that proves each is present.
# The second line is for the other runtime folders: linux-arm64 (cross glibc, linker, and qemu-user to run the
# tests and a self-contained .NET publish; libstdc++ for that publish's runtime), linux-musl-x64 (musl-dev) and
# linux-musl-arm64 (the same cross runtime files, linker and qemu-user; its musl: ensure_musl_arm64 below).
APT_PACKAGES=(clang-19 libclang1-19 libclang-common-19-dev libclang-rt-19-dev gcc make valgrind binutils unzip
              libc6-dev-arm64-cross libgcc-12-dev-arm64-cross binutils-aarch64-linux-gnu libstdc++6-arm64-cross qemu-user musl-dev)

usage() {
    cat <<'EOF'
Usage: ./build.sh [verb] [options]

  (no verb)            install missing prerequisites, build everything, run the demo
  test [--filter EXPR] build and run every test suite (native C: plain, ASan+UBSan, Valgrind, TSan, arm64
                       under qemu, musl, musl on arm64 under qemu; .NET: default, embeddings and
                       bring-your-own-prefix configurations, the last also with the upstream-spelled header
                       of tests/upstream-header; the package consumer, also on arm64 under qemu; the native
                       files' C library floor);
                       the last line is "N passed, N failed[, N skipped]".
                       --filter passes an NUnit filter expression to the .NET test runs
                       (for example TestCategory=Layout) and skips the native suites.
  bench [--quick]      Release build, then the native C baseline and the .NET benchmarks side by side
  pack                 build artifacts/packages/Splinter.Interop.<version>.nupkg (runtime folders linux-x64,
                       linux-arm64, linux-musl-x64, linux-musl-arm64) and check its native files' C library
                       floor
  prereqs              only install/check the prerequisites
  --help               this text

Environment:
  SPLINTER_PREFIX=/some/prefix   build and test against include/splinter.h and lib/libsplinter*.so
                                 from that prefix instead of the embedded library.
EOF
}

log() { printf '\n==> %s\n' "$*" >&2; }

package_present() {
    dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"
}

ensure_prereqs() {
    local missing=()
    for p in "${APT_PACKAGES[@]}"; do
        package_present "$p" || missing+=("$p")
    done
    if ((${#missing[@]})); then
        if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null; then
            log "installing ${missing[*]}"
            apt-get update -qq >/dev/null
            DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
        else
            echo "Missing packages: ${missing[*]}" >&2
            echo "Install them with:  sudo apt-get install -y ${missing[*]}" >&2
            exit 1
        fi
    fi
    ensure_musl_arm64
    if ! command -v dotnet >/dev/null; then
        echo "The .NET SDK 10 is required (dotnet on PATH); install it and rerun." >&2
        exit 1
    fi
}

# linux-musl-arm64 is built against Debian's musl and musl-dev for arm64. This machine's dpkg would install them
# only after adding the arm64 architecture, so apt, told about arm64 on its command line only, fetches the two
# .debs (its arm64 lists stay until a plain apt-get update drops them; dpkg never sees that architecture) and
# dpkg-deb extracts them into artifacts/sysroot/linux-musl-arm64/root, where
# native/Makefile links a sysroot to them and native/tests/run.sh runs the tests under qemu-aarch64.
# packages.txt, written last, names the packages and versions (native/check-floor.sh reads it); while it
# exists, nothing is fetched again.
MUSL_ARM64_DIR="$ARTIFACTS/sysroot/linux-musl-arm64"
ensure_musl_arm64() {
    [[ -f "$MUSL_ARM64_DIR/packages.txt" ]] && return
    local apt_arm64=(-o APT::Architectures::="$(dpkg --print-architecture)" -o APT::Architectures::=arm64)
    if [[ $(id -u) -ne 0 ]]; then
        echo "The arm64 musl packages are missing from $MUSL_ARM64_DIR; as root, ./build.sh prereqs fetches them" >&2
        echo "(apt-get ${apt_arm64[*]} download musl:arm64 musl-dev:arm64, then dpkg-deb -x each into $MUSL_ARM64_DIR/root)." >&2
        exit 1
    fi
    log "fetching musl and musl-dev for arm64 into $MUSL_ARM64_DIR/root"
    local debs deb
    debs="$(mktemp -d "${TMPDIR:-/tmp}/splinter-musl-arm64.XXXXXX")"
    # apt downloads as its unprivileged user when that user may write the folder.
    chown _apt "$debs" 2>/dev/null || true
    apt-get "${apt_arm64[@]}" update -qq >/dev/null
    (cd "$debs" && apt-get "${apt_arm64[@]}" download -qq musl:arm64 musl-dev:arm64 >/dev/null)
    rm -rf "$MUSL_ARM64_DIR"
    mkdir -p "$MUSL_ARM64_DIR/root"
    for deb in "$debs"/*.deb; do
        dpkg-deb -x "$deb" "$MUSL_ARM64_DIR/root"
        dpkg-deb -W --showformat='${Package} ${Version} ${Architecture}\n' "$deb" >>"$MUSL_ARM64_DIR/packages.tmp"
    done
    rm -rf "$debs"
    if [[ "$(cut -d' ' -f1,3 "$MUSL_ARM64_DIR/packages.tmp" | LC_ALL=C sort | tr '\n' ' ')" != "musl arm64 musl-dev arm64 " ]]; then
        echo "fetching musl and musl-dev for arm64 gave: $(tr '\n' ' ' <"$MUSL_ARM64_DIR/packages.tmp")" >&2
        exit 1
    fi
    mv "$MUSL_ARM64_DIR/packages.tmp" "$MUSL_ARM64_DIR/packages.txt"
}

# --- native -----------------------------------------------------------------

# Every runtime folder of the package (README.md, "Platforms"); linux-x64 is this machine's own build.
NATIVE_RIDS=(linux-x64 linux-arm64 linux-musl-x64 linux-musl-arm64)

build_native() {
    log "native library (default, embeddings) for ${NATIVE_RIDS[*]}"
    local rid
    for rid in "${NATIVE_RIDS[@]}"; do
        make -s -C "$ROOT/native" RID="$rid"
        make -s -C "$ROOT/native" RID="$rid" EMBEDDINGS=1
    done
}

# The C library floor of every native file in a package (native/check-floor.sh); adds its counts.
floor_check() { # package
    log "C library floor of the package's native files (glibc 2.27, musl 1.2.3)"
    local out="$ARTIFACTS/test-results/floor.log" rc=0 p f
    mkdir -p "$(dirname "$out")"
    "$ROOT/native/check-floor.sh" "$1" 2>&1 | tee "$out" || rc=$?
    read -r p f < <(sed -n 's/^platform-floor: \([0-9]*\) passed, \([0-9]*\) failed$/\1 \2/p' "$out") || true
    if [[ -z "$p" ]] || ((rc != 0 && f == 0)); then f=$(( ${f:-0} + 1 )); fi
    add_counts "${p:-0}" "$f" 0
}

# --- .NET -------------------------------------------------------------------

# dotnet_test <label> <results-dir> <extra dotnet args...>; appends to the totals.
TOTAL_PASSED=0 TOTAL_FAILED=0 TOTAL_SKIPPED=0 ANY_FAILURE=0

add_counts() { # passed failed skipped
    TOTAL_PASSED=$((TOTAL_PASSED + $1)); TOTAL_FAILED=$((TOTAL_FAILED + $2)); TOTAL_SKIPPED=$((TOTAL_SKIPPED + $3))
    if (($2 > 0)); then ANY_FAILURE=1; fi
}

trx_counts() { # file -> "passed failed skipped"
    local counters total passed failed
    counters=$(grep -o '<Counters [^>]*>' "$1" | head -n 1)
    total=$(sed -n 's/.* total="\([0-9]*\)".*/\1/p' <<<"$counters")
    passed=$(sed -n 's/.* passed="\([0-9]*\)".*/\1/p' <<<"$counters")
    failed=$(sed -n 's/.* failed="\([0-9]*\)".*/\1/p' <<<"$counters")
    local errors; errors=$(sed -n 's/.* error="\([0-9]*\)".*/\1/p' <<<"$counters")
    local timeout; timeout=$(sed -n 's/.* timeout="\([0-9]*\)".*/\1/p' <<<"$counters")
    failed=$(( ${failed:-0} + ${errors:-0} + ${timeout:-0} ))
    echo "${passed:-0} $failed $(( ${total:-0} - ${passed:-0} - failed ))"
}

dotnet_test() {
    local label="$1" project="$2"; shift 2
    local results="$ARTIFACTS/test-results/$label"
    rm -rf "$results"
    log ".NET tests: $label"
    local rc=0
    dotnet test "$project" --nologo -v:q --results-directory "$results" \
        --logger "trx;LogFileName=$label.trx" --logger "console;verbosity=minimal" \
        ${FILTER:+--filter "$FILTER"} "$@" || rc=$?
    local trx; trx=$(find "$results" -name '*.trx' 2>/dev/null | head -n 1)
    if [[ -z "$trx" ]]; then
        echo "$label: no test results (build failure?)" >&2
        add_counts 0 1 0
        return
    fi
    read -r p f s < <(trx_counts "$trx")
    if ((rc != 0 && f == 0)); then f=1; fi
    echo "$label: $p passed, $f failed${s:+, $s skipped}" | sed 's/, 0 skipped//' >&2
    add_counts "$p" "$f" "$s"
}

native_tests() {
    log "native C conformance suite (plain, ASan+UBSan, Valgrind, TSan; shm and persistent; embeddings; arm64 under qemu; musl; musl on arm64 under qemu)"
    local out="$ARTIFACTS/test-results/native.log" rc=0 mode started
    mkdir -p "$(dirname "$out")"
    : >"$out"
    for mode in all arm64 musl musl-arm64; do
        started=$SECONDS
        "$ROOT/native/tests/run.sh" --mode "$mode" 2>&1 | tee -a "$out" || rc=$?
        echo "run.sh --mode $mode: $((SECONDS - started)) s" | tee -a "$out" >&2
    done
    local lines; lines=$(grep -E '^native-[a-z0-9-]+-[a-z]+: [0-9]+ passed, [0-9]+ failed' "$out" || true)
    if [[ -z "$lines" ]]; then
        echo "native: no result lines" >&2; add_counts 0 1 0; return
    fi
    while read -r line; do
        local p f s
        p=$(sed -n 's/.*: \([0-9]*\) passed.*/\1/p' <<<"$line")
        f=$(sed -n 's/.* \([0-9]*\) failed.*/\1/p' <<<"$line")
        s=$(sed -n 's/.* \([0-9]*\) skipped.*/\1/p' <<<"$line")
        add_counts "$p" "$f" "${s:-0}"
    done <<<"$lines"
    if ((rc != 0)); then ANY_FAILURE=1; fi
}

# Test stores are named splinter-<kind>-<purpose>-<pid>-<n> (in /dev/shm, or as files in the temp directory for the
# persistent variant). A test process that was killed (a hang guard, Ctrl-C) never ran its teardown: remove the stores
# of processes that are gone, before and after the tests.
remove_stale_test_stores() {
    local object pid
    for object in /dev/shm/splinter-{events,store,raw,stress,full}-* "${TMPDIR:-/tmp}"/splinter-{events,store,raw}-*; do
        [[ -f "$object" ]] || continue
        pid="$(basename "$object" | tr -- '-.' '\n\n' | grep -E '^[0-9]+$' | head -n 1)"
        if [[ -n "$pid" ]] && ! kill -0 "$pid" 2>/dev/null; then rm -f "$object"; fi
    done
}

run_tests() {
    remove_stale_test_stores
    trap remove_stale_test_stores EXIT
    FILTER=""
    while (($#)); do
        case "$1" in
            --filter) FILTER="$2"; shift 2 ;;
            *) echo "unknown option $1" >&2; exit 2 ;;
        esac
    done
    ensure_prereqs
    local config_filter="TestCategory=Layout|TestCategory=Exports|TestCategory=Raw|TestCategory=Generator"

    if [[ -n "${SPLINTER_PREFIX:-}" ]]; then
        # The user's header and library: the whole .NET suite against them (tests that rely on a divergence of our
        # library are skipped, naming it: category OurLibrary).
        dotnet_test prefix "$ROOT/tests/Splinter.Interop.Tests" -p:SplinterPrefix="$SPLINTER_PREFIX"
    else
        build_native
        [[ -z "$FILTER" ]] && native_tests
        dotnet_test generator "$ROOT/tests/Splinter.Interop.Generator.Tests"
        dotnet_test default "$ROOT/tests/Splinter.Interop.Tests"
        if [[ -z "$FILTER" ]]; then
            # The store tests again with every read going through the library's functions, the path taken when the
            # bindings describe a format the mapping reads do not know (src/Splinter.Interop/Store/StoreFormat.cs).
            SPLINTER_INTEROP_NATIVE_READS=1 dotnet_test native-reads "$ROOT/tests/Splinter.Interop.Tests" --no-build \
                --filter "TestCategory=Store"
            # The package used by an app outside the solution, on a store a C program wrote.
            log "consumer check (Splinter.Interop package from a local feed, store created by C)"
            local consumer_log="$ARTIFACTS/test-results/consumer.log" consumer_rc=0 cp="" cf="" cs=""
            mkdir -p "$(dirname "$consumer_log")"
            "$ROOT/tests/Splinter.Interop.Consumer/run.sh" 2>&1 | tee "$consumer_log" || consumer_rc=$?
            read -r cp cf cs < <(sed -n -E 's/^consumer: ([0-9]+) passed, ([0-9]+) failed(, ([0-9]+) skipped)?$/\1 \2 \4/p' "$consumer_log" | tail -n 1) || true
            if [[ -z "$cp" ]] || ((consumer_rc != 0 && cf == 0)); then cf=$(( ${cf:-0} + 1 )); fi
            add_counts "${cp:-0}" "$cf" "${cs:-0}"
            # The package the consumer check just packed (./build.sh pack checks it too; here it is counted).
            local packages=("$ARTIFACTS"/packages/Splinter.Interop.*.nupkg)
            floor_check "${packages[0]}"
        fi
        if [[ -z "$FILTER" ]]; then
            # The embeddings flavour: the whole suite, as for a user whose libsplinter is built with SPLINTER_EMBEDDINGS.
            dotnet_test embeddings "$ROOT/tests/Splinter.Interop.Tests" -p:SplinterEmbeddings=true
            # Bring-your-own-library path: install our build into a temporary prefix and use it.
            local prefix; prefix=$(mktemp -d "${TMPDIR:-/tmp}/splinter-prefix.XXXXXX")
            make -s -C "$ROOT/native" install PREFIX="$prefix"
            dotnet_test prefix "$ROOT/tests/Splinter.Interop.Tests" -p:SplinterPrefix="$prefix" \
                --filter "$config_filter"
            # The same library with a header in upstream's spelling (tests/upstream-header): all of it must compile,
            # and the whole suite must pass (OurLibrary tests skipped, as for any library a user brings).
            local upstream; upstream=$(mktemp -d "${TMPDIR:-/tmp}/splinter-prefix-upstream.XXXXXX")
            make -s -C "$ROOT/native" install PREFIX="$upstream"
            install -m 0644 "$ROOT/tests/upstream-header/include/splinter.h" "$upstream/include/splinter.h"
            dotnet_test prefix-upstream-header "$ROOT/tests/Splinter.Interop.Tests" -p:SplinterPrefix="$upstream"
            rm -rf "$prefix" "$upstream"
        fi
    fi
    echo
    local line="$TOTAL_PASSED passed, $TOTAL_FAILED failed"
    ((TOTAL_SKIPPED > 0)) && line+=", $TOTAL_SKIPPED skipped"
    echo "$line"
    ((ANY_FAILURE == 0 && TOTAL_FAILED == 0))
}

build_all() {
    ensure_prereqs
    build_native
    log "dotnet build"
    dotnet build "$ROOT/Splinter.Interop.sln" --nologo -v:q -clp:ErrorsOnly
}

run_demo() {
    log "demo: a writer process and a watcher child process on one store (samples/Splinter.Demo)"
    dotnet run --project "$ROOT/samples/Splinter.Demo" --no-build
}

verb="${1:-}"
case "$verb" in
    ""|build) build_all; [[ -z "$verb" ]] && run_demo ;;
    test) shift; run_tests "$@" ;;
    bench) shift; ensure_prereqs; exec "$ROOT/bench/run.sh" "$@" ;;
    pack) ensure_prereqs; build_native; log "pack"
          # Only the package of this build stays in the folder (the consumer check takes the one it finds).
          rm -f "$ARTIFACTS"/packages/Splinter.Interop.*.nupkg "$ARTIFACTS"/packages/Splinter.Interop.*.snupkg
          # ContinuousIntegrationBuild maps source paths to /_/: one commit packs the same dll from any clone.
          # DeterministicTimestamp (NuGet 7.9+) stamps every zip entry with the commit's time instead of the pack
          # time, so the .nupkg itself is byte-identical too.
          stamp=()
          commit_time="$(git -C "$ROOT" log -1 --format=%cI 2>/dev/null || true)"
          [[ -n "$commit_time" ]] && stamp=(-p:DeterministicTimestamp="$commit_time")
          dotnet pack "$ROOT/src/Splinter.Interop" -c Release --nologo -v:q -clp:ErrorsOnly \
              -p:ContinuousIntegrationBuild=true "${stamp[@]}" -o "$ARTIFACTS/packages"
          ls -l "$ARTIFACTS"/packages/Splinter.Interop.*nupkg
          # A package whose native files need a newer C library than README.md promises is not a package.
          mkdir -p "$ARTIFACTS/test-results"
          for package in "$ARTIFACTS"/packages/Splinter.Interop.*.nupkg; do
              "$ROOT/native/check-floor.sh" "$package" >"$ARTIFACTS/test-results/pack-floor.log" 2>&1 ||
                  { cat "$ARTIFACTS/test-results/pack-floor.log" >&2; rm -f "$package"; exit 1; }
              tail -n 1 "$ARTIFACTS/test-results/pack-floor.log"
          done ;;
    prereqs) ensure_prereqs ;;
    -h|--help|help) usage ;;
    *) usage >&2; exit 2 ;;
esac
