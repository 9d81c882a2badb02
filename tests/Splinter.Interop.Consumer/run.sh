#!/usr/bin/env bash
# Consumer check (run by ./build.sh test): packs Splinter.Interop, builds this project against the
# PACKAGE from the local folder feed (fresh, isolated packages folder), compiles the C writer against
# our header and libsplinter.so (and once more as the SPLINTER_EMBEDDINGS flavour), and runs the consumer
# on each, which opens the store the C program created.
# Prints PASS/FAIL lines and ends with "consumer: N passed, N failed"; exits non-zero on any failure.
set -uo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
OUT="$ROOT/artifacts/consumer"
STORE="splinter-consumer-$$-1"
STORE_EMBEDDINGS="splinter-consumer-$$-2"
PASSED=0 FAILED=0

result() { # PASS|FAIL name detail
    echo "$1 $2: $3"
    if [[ $1 == PASS ]]; then PASSED=$((PASSED + 1)); else FAILED=$((FAILED + 1)); fi
}

finish() {
    rm -f "/dev/shm/$STORE" "/dev/shm/$STORE_EMBEDDINGS"
    echo "consumer: $PASSED passed, $FAILED failed"
    ((FAILED == 0 && PASSED > 0))
    exit
}
trap 'rm -f "/dev/shm/$STORE" "/dev/shm/$STORE_EMBEDDINGS"' EXIT

mkdir -p "$OUT"
if ! "$ROOT/build.sh" pack >"$OUT/pack.log" 2>&1; then
    tail -n 20 "$OUT/pack.log"
    result FAIL pack "./build.sh pack failed (log: $OUT/pack.log)"
    finish
fi

shopt -s nullglob
packages=()
for f in "$ROOT"/artifacts/packages/Splinter.Interop.*.nupkg; do
    [[ $f == *.symbols.nupkg ]] || packages+=("$f")
done
if ((${#packages[@]} != 1)); then
    result FAIL pack "expected one Splinter.Interop.*.nupkg in artifacts/packages, found ${#packages[@]}"
    finish
fi
nupkg="${packages[0]}"
version="$(basename "$nupkg" .nupkg)"; version="${version#Splinter.Interop.}"
result PASS pack "$(basename "$nupkg")"

# A fresh packages folder (see nuget.config): no cached copy of this version can be used.
rm -rf "$OUT/packages" "$OUT/bin" "$OUT/obj"
if ! dotnet build "$HERE/Splinter.Interop.Consumer.csproj" --nologo -v:q -clp:ErrorsOnly \
        -p:SplinterPackageVersion="$version" >"$OUT/build.log" 2>&1; then
    tail -n 20 "$OUT/build.log"
    result FAIL build "the consumer did not build against the package (log: $OUT/build.log)"
    finish
fi
restored="$OUT/packages/splinter.interop/$version/splinter.interop.$version.nupkg"
if [[ -f "$restored" ]] && cmp -s "$nupkg" "$restored"; then
    result PASS restore "restored splinter.interop $version is byte-identical to the package just packed"
else
    result FAIL restore "the restored package ($restored) is not the one just packed"
fi

writer="$OUT/c_writer"
if ! clang-19 -std=c11 -O2 -Wall -Wextra -Werror -D_GNU_SOURCE -I"$ROOT/native/include" \
        -o "$writer" "$HERE/native/c_writer.c" \
        -L"$ROOT/artifacts/native/default" -lsplinter -Wl,-rpath,"$ROOT/artifacts/native/default"; then
    result FAIL c-build "c_writer.c did not compile against splinter.h / libsplinter.so"
    finish
fi

# The same C program built as the SPLINTER_EMBEDDINGS flavour (3200-byte slots) against our embeddings build:
# its store must open from the package too (libsplinter_embeddings.so).
writer_embeddings="$OUT/c_writer_embeddings"
if ! clang-19 -std=c11 -O2 -Wall -Wextra -Werror -D_GNU_SOURCE -DSPLINTER_EMBEDDINGS -I"$ROOT/native/include" \
        -o "$writer_embeddings" "$HERE/native/c_writer.c" \
        -L"$ROOT/artifacts/native/embeddings" -lsplinter -Wl,-rpath,"$ROOT/artifacts/native/embeddings"; then
    result FAIL c-build "c_writer.c did not compile as the embeddings flavour (make -C native EMBEDDINGS=1)"
    finish
fi

app="$OUT/bin/Splinter.Interop.Consumer/debug/Splinter.Interop.Consumer.dll"
run_consumer() { # STORE WRITER FLAVOUR
    local output rc
    output="$(timeout 60 dotnet "$app" "$1" "$2" "$3" 2>&1)"
    rc=$?
    echo "$output" | sed "s/^\(PASS\|FAIL\|SKIP\) /\1 [$3] /"
    while read -r status _; do
        case "$status" in
            PASS) PASSED=$((PASSED + 1)) ;;
            FAIL) FAILED=$((FAILED + 1)) ;;
        esac
    done <<<"$output"
    if ((rc != 0)) && ! grep -q '^FAIL ' <<<"$output"; then
        result FAIL run "the consumer ($3) exited with $rc without a FAIL line"
    fi
}
run_consumer "$STORE" "$writer" default
run_consumer "$STORE_EMBEDDINGS" "$writer_embeddings" embeddings
finish
