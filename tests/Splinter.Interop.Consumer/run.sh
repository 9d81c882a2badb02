#!/usr/bin/env bash
# Consumer check (run by ./build.sh test): packs Splinter.Interop, checks that every runtime folder holds its
# five native files, builds this project against the PACKAGE from the local folder feed (isolated packages
# folder, the package itself always restored afresh), compiles the C writer against our header and
# libsplinter.so (and once more as the SPLINTER_EMBEDDINGS flavour, whose store must open from the package too),
# and runs the consumer, which opens the store the C program created. Then the same on arm64:
# a self-contained linux-arm64 publish run under qemu-aarch64, against a store the (x86-64) C writer created.
# musl cannot be run here, on x64 or arm64 (see the SKIP lines). Last, the package README's quickstart: its code block is compiled
# against the package (Quickstart/) and run to its end with a timeout. Prints PASS/FAIL/SKIP lines and ends with
# "consumer: N passed, N failed[, N skipped]"; exits non-zero on any failure.
set -uo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
OUT="$ROOT/artifacts/consumer"
STORE="splinter-consumer-$$-1"
STORE_ARM64="splinter-consumer-$$-arm64"
STORE_EMBEDDINGS="splinter-consumer-$$-embeddings"
STORE_QUICKSTART="splinter-consumer-$$-quickstart"
PASSED=0 FAILED=0 SKIPPED=0
RIDS=(linux-x64 linux-arm64 linux-musl-x64 linux-musl-arm64)
NATIVE_FILES=(libsplinter.so libsplinter_p.so libsplinter_embeddings.so libsplinter_p_embeddings.so libsplinter_shim.so)

result() { # PASS|FAIL|SKIP name detail
    echo "$1 $2: $3"
    case "$1" in
        PASS) PASSED=$((PASSED + 1)) ;;
        SKIP) SKIPPED=$((SKIPPED + 1)) ;;
        *) FAILED=$((FAILED + 1)) ;;
    esac
}

finish() {
    rm -f "/dev/shm/$STORE" "/dev/shm/$STORE_ARM64" "/dev/shm/$STORE_EMBEDDINGS" "/dev/shm/$STORE_QUICKSTART"
    if ((SKIPPED > 0)); then
        echo "consumer: $PASSED passed, $FAILED failed, $SKIPPED skipped"
    else
        echo "consumer: $PASSED passed, $FAILED failed"
    fi
    ((FAILED == 0 && PASSED > 0))
    exit
}
trap 'rm -f "/dev/shm/$STORE" "/dev/shm/$STORE_ARM64" "/dev/shm/$STORE_EMBEDDINGS" "/dev/shm/$STORE_QUICKSTART"' EXIT

# Counts the consumer's own PASS/FAIL lines (prefixed with $2 when given); $1 = its output, $3 = exit code.
count_run() {
    local output="$1" prefix="$2" rc="$3" status
    [[ -n "$prefix" ]] && output="$(sed -E "s/^(PASS|FAIL|SKIP) /\\1 $prefix/" <<<"$output")"
    echo "$output"
    while read -r status _; do
        case "$status" in
            PASS) PASSED=$((PASSED + 1)) ;;
            FAIL) FAILED=$((FAILED + 1)) ;;
            SKIP) SKIPPED=$((SKIPPED + 1)) ;;
        esac
    done <<<"$output"
    if ((rc != 0)) && ! grep -q '^FAIL ' <<<"$output"; then
        result FAIL "${prefix}run" "the consumer exited with $rc without a FAIL line"
    fi
}

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

# Every runtime folder, every file (the package's table of contents).
listing="$(unzip -l "$nupkg")"
for rid in "${RIDS[@]}"; do
    missing=()
    for file in "${NATIVE_FILES[@]}"; do
        grep -qE " runtimes/$rid/native/$file\$" <<<"$listing" || missing+=("$file")
    done
    if ((${#missing[@]} == 0)); then
        result PASS "files-$rid" "runtimes/$rid/native/ holds ${NATIVE_FILES[*]}"
    else
        result FAIL "files-$rid" "runtimes/$rid/native/ lacks ${missing[*]}"
    fi
done

# The package is restored afresh into the isolated packages folder (see nuget.config), so no cached copy of
# this version can be used; the .NET runtime packs of the arm64 publish stay cached there between runs.
rm -rf "$OUT/packages/splinter.interop" "$OUT/bin" "$OUT/obj"
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

# The same C program built as the SPLINTER_EMBEDDINGS flavour (3200-byte slots) against our embeddings build.
writer_embeddings="$OUT/c_writer_embeddings"
if ! clang-19 -std=c11 -O2 -Wall -Wextra -Werror -D_GNU_SOURCE -DSPLINTER_EMBEDDINGS -I"$ROOT/native/include" \
        -o "$writer_embeddings" "$HERE/native/c_writer.c" \
        -L"$ROOT/artifacts/native/embeddings" -lsplinter -Wl,-rpath,"$ROOT/artifacts/native/embeddings"; then
    result FAIL c-build "c_writer.c did not compile as the embeddings flavour (make -C native EMBEDDINGS=1)"
    finish
fi

# A portable build keeps every runtime folder; this x86-64 glibc process must load linux-x64's copy.
bin="$OUT/bin/Splinter.Interop.Consumer/debug"
output="$(timeout 60 dotnet "$bin/Splinter.Interop.Consumer.dll" "$STORE" "$writer" "$bin/runtimes/linux-x64/native/libsplinter.so" 2>&1)"
count_run "$output" "" $?
output="$(timeout 60 dotnet "$bin/Splinter.Interop.Consumer.dll" "$STORE_EMBEDDINGS" "$writer_embeddings" "$bin/runtimes/linux-x64/native/libsplinter.so" embeddings 2>&1)"
count_run "$output" "embeddings " $?

# The package README's quickstart, as a user would paste it: the first csharp block under "## Quickstart", with the
# store name "quickstart" made unique for this run (it must be the only change), built against the package and run to
# its end. It must print "hello", then the change it watched, exit 0 within the timeout and delete its store.
quickstart="$OUT/quickstart"
rm -rf "$quickstart" "$OUT/bin/Splinter.Interop.Quickstart" "$OUT/obj/Splinter.Interop.Quickstart"
mkdir -p "$quickstart"
awk '/^## Quickstart/ { section = 1; next } /^## / { section = 0 }
     section && !block && /^```csharp$/ { block = 1; next }
     block && /^```$/ { exit }
     block' "$ROOT/src/Splinter.Interop/README.md" >"$quickstart/README.cs"
names=$(grep -o '"quickstart"' "$quickstart/README.cs" | wc -l)
sed "s/\"quickstart\"/\"$STORE_QUICKSTART\"/g" "$quickstart/README.cs" >"$quickstart/Program.cs"
if [[ ! -s "$quickstart/README.cs" ]] || ((names < 2)); then
    result FAIL quickstart-extract "no csharp block under '## Quickstart' in src/Splinter.Interop/README.md that creates and deletes the store \"quickstart\" ($names uses)"
elif ! dotnet build "$HERE/Quickstart/Splinter.Interop.Quickstart.csproj" --nologo -v:q -clp:ErrorsOnly \
        -p:SplinterPackageVersion="$version" -p:SplinterQuickstartSource="$quickstart/Program.cs" >"$OUT/quickstart-build.log" 2>&1; then
    tail -n 20 "$OUT/quickstart-build.log"
    result FAIL quickstart-build "the README's quickstart ($(wc -l <"$quickstart/README.cs") lines) did not compile against the package (log: $OUT/quickstart-build.log)"
else
    result PASS quickstart-build "the README's quickstart ($(wc -l <"$quickstart/README.cs") lines) compiles against the package, warnings as errors"
    started=$SECONDS
    output="$(timeout 60 dotnet "$OUT/bin/Splinter.Interop.Quickstart/debug/Splinter.Interop.Quickstart.dll" 2>&1)"
    rc=$?
    echo "$output" | sed 's/^/  quickstart> /'
    if ((rc != 0)); then
        result FAIL quickstart-run "exit code $rc after $((SECONDS - started)) s (124: still running at the 60 s timeout)"
    elif [[ "$(head -n 1 <<<"$output")" != "hello" ]] || ! grep -qx "Written greeting = hello again" <<<"$output"; then
        result FAIL quickstart-run "expected 'hello' then 'Written greeting = hello again'"
    elif [[ -e "/dev/shm/$STORE_QUICKSTART" ]]; then
        result FAIL quickstart-run "ended, but its store is still in /dev/shm"
    else
        result PASS quickstart-run "ran to its end in $((SECONDS - started)) s: printed the value and the change it watched, deleted its store"
    fi
fi

# arm64: a self-contained publish (the package's linux-arm64 files land beside the application) under qemu-user.
# The writer stays the x86-64 C program: one store, two architectures.
publish="$OUT/publish-linux-arm64"
rm -rf "$publish"
arm64_started=$SECONDS
if ! dotnet publish "$HERE/Splinter.Interop.Consumer.csproj" --nologo -v:q -clp:ErrorsOnly -c Release -r linux-arm64 \
        --self-contained -p:SplinterPackageVersion="$version" -o "$publish" >"$OUT/publish-arm64.log" 2>&1; then
    tail -n 20 "$OUT/publish-arm64.log"
    result FAIL arm64-publish "dotnet publish -r linux-arm64 failed (log: $OUT/publish-arm64.log)"
elif ! file -L "$publish/libsplinter.so" | grep -q 'ARM aarch64'; then
    result FAIL arm64-publish "the publish's libsplinter.so is not an aarch64 file: $(file -L "$publish/libsplinter.so")"
else
    result PASS arm64-publish "self-contained linux-arm64 publish with the package's aarch64 libraries"
    published=$SECONDS
    output="$(DOTNET_SYSTEM_GLOBALIZATION_INVARIANT=1 timeout 300 qemu-aarch64 -L /usr/aarch64-linux-gnu \
        "$publish/Splinter.Interop.Consumer" "$STORE_ARM64" "$writer" "$publish/libsplinter.so" 2>&1)"
    count_run "$output" "arm64-" $?
    echo "(arm64: publish $((published - arm64_started)) s, consumer under qemu $((SECONDS - published)) s)"
fi

# musl: the package's musl files are built and their C suite runs, natively for x64 and under qemu for arm64
# (native/tests/run.sh --mode musl, --mode musl-arm64), but a .NET process on musl needs libstdc++ and libgcc_s
# built for musl, which Debian does not package for either processor.
result SKIP musl-run "no .NET runtime for musl can start here (a linux-musl-x64 publish needs musl builds of libstdc++.so.6 and libgcc_s.so.1; there is no Alpine environment)"
result SKIP musl-arm64-run "no .NET runtime for musl can start here (a linux-musl-arm64 publish under qemu-aarch64 needs arm64 musl builds of libstdc++.so.6 and libgcc_s.so.1; there is no Alpine environment)"
finish
