#!/usr/bin/env bash
# Builds and runs the libsplinter C conformance suite.
#
#   native/tests/run.sh [--mode plain|asan|valgrind|tsan|arm64|musl|musl-arm64|all] [--variant shm|persistent|embeddings|all] [-- test-filter...]
#
# plain    : artifacts/native/default libraries, test binary -O1 -g
# asan     : artifacts/native/asan libraries (ASan+UBSan), test binary built with the same sanitizers
# valgrind : artifacts/native/default libraries under memcheck (children traced too)
# tsan     : artifacts/native/tsan libraries (ThreadSanitizer), test binary built with it too
# arm64    : artifacts/native/linux-arm64 libraries (make RID=linux-arm64), test binary cross-built,
#            run under qemu-aarch64 (user mode; children and golden re-enter qemu through a wrapper)
# musl     : artifacts/native/linux-musl-x64 libraries, test binary linked against musl, run natively
# musl-arm64: artifacts/native/linux-musl-arm64 libraries, test binary linked against the arm64 musl that
#            ./build.sh extracts into artifacts/sysroot/linux-musl-arm64/root, run under qemu-aarch64 with
#            that folder as its root (the same wrapper as arm64)
# --variant all = shm + persistent (+ embeddings in plain mode); --mode all = plain, asan,
# valgrind and tsan for shm and persistent, plus embeddings plain (arm64, musl and musl-arm64 run only
# when asked: --variant all there = shm + persistent + embeddings).
# Every run ends with one line "native-<mode>-<variant>: N passed, N failed[, N skipped]".
# Exit status: non-zero if anything failed.
#
# Environment: CC (default clang-19), SPLINTER_SHARED (default: ../shared beside the repository).
set -u -o pipefail

mode=plain
variant=all
filters=()
while [ $# -gt 0 ]; do
    case "$1" in
        --mode) mode="${2:-}"; shift 2 ;;
        --variant) variant="${2:-}"; shift 2 ;;
        --) shift; filters=("$@"); break ;;
        -h|--help) sed -n '2,20p' "$0"; exit 0 ;;
        *) echo "run.sh: unknown argument $1" >&2; exit 2 ;;
    esac
done

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
shared="${SPLINTER_SHARED:-$repo/../shared}"
if [ -d "$shared" ]; then shared="$(cd "$shared" && pwd)"; fi
cc="${CC:-clang-19}"
san_flags=(-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all)
any_failed=0

# Builds one library flavour through the native Makefile; output only on failure.
build_library() { # $1 = make arguments
    local log
    log="$(mktemp)"
    # shellcheck disable=SC2086
    if ! make -s -C "$repo/native" $1 >"$log" 2>&1; then
        cat "$log" >&2
        rm -f "$log"
        return 1
    fi
    rm -f "$log"
}

# Writes <binary>.qemu: a host script that runs the aarch64 <binary> under qemu-aarch64, with $2 as the
# root its loader and C library are taken from.
qemu_wrap() { # $1 = binary, $2 = root
    printf '#!/bin/sh\nexec qemu-aarch64 -L %q -0 "$0" %q "$@"\n' "$2" "$1" >"$1.qemu"
    chmod +x "$1.qemu"
}

run_one() { # $1 = mode, $2 = variant
    local m="$1" v="$2" label="native-$1-$2"
    local make_args="" libdir libname defines=() extra=() sources rid_dir=""
    case "$m" in
        plain|valgrind) libdir="$repo/artifacts/native/default" ;;
        asan) libdir="$repo/artifacts/native/asan"; make_args="SANITIZE=1"; extra=("${san_flags[@]}") ;;
        tsan) libdir="$repo/artifacts/native/tsan"; make_args="SANITIZE=thread"; extra=(-fsanitize=thread) ;;
        arm64|musl|musl-arm64)
            case "$m" in
                arm64) rid_dir=linux-arm64/ ;;
                musl) rid_dir=linux-musl-x64/ ;;
                musl-arm64) rid_dir=linux-musl-arm64/ ;;
            esac
            libdir="$repo/artifacts/native/${rid_dir}default"; make_args="RID=${rid_dir%/}"
            # The target's compiler and linker flags, from the Makefile (one line).
            read -r -a extra < <(make -s --no-print-directory -C "$repo/native" RID="${rid_dir%/}" rid-flags) ;;
    esac
    sources=(harness.c support.c test_layout.c test_lifecycle.c test_kv.c test_mop.c test_signals.c
             test_types.c test_list_poll.c test_nostore.c test_bus.c test_shards.c
             test_divergences.c test_divergences2.c test_contract.c test_exports.c test_golden.c test_platform.c
             test_races.c test_space.c)
    libname=splinter
    case "$v" in
        shm) ;;
        persistent) libname=splinter_p; defines=(-DSPLINTER_TEST_PERSISTENT) ;;
        embeddings)
            make_args="$make_args EMBEDDINGS=1"
            if [ "$m" = asan ]; then libdir="$repo/artifacts/native/embeddings-asan"
            else libdir="$repo/artifacts/native/${rid_dir}embeddings"; fi
            defines=(-DSPLINTER_EMBEDDINGS)
            sources=(harness.c support.c test_embeddings.c test_exports.c) ;;
        *) echo "run.sh: unknown variant $v" >&2; return 1 ;;
    esac

    if ! build_library "$make_args"; then
        echo "$label: 0 passed, 1 failed (library build failed)"
        return 1
    fi
    local out="$repo/artifacts/native/tests/$m"
    mkdir -p "$out"
    local bin="$out/splinter_tests_$v" golden_bin="$out/golden_$v"
    local srcs=()
    for s in "${sources[@]}"; do srcs+=("$here/$s"); done
    if ! "$cc" -std=c11 -Wall -Wextra -Werror -O1 -g -gdwarf-4 -pthread "${defines[@]}" "${extra[@]}" \
        -I"$repo/native/include" "${srcs[@]}" -L"$libdir" -l"$libname" -Wl,-rpath,"$libdir" -o "$bin"; then
        echo "$label: 0 passed, 1 failed (test build failed)"
        return 1
    fi

    local env_args=(SPLINTER_SHARED="$shared")
    if [ "$v" != embeddings ]; then
        # golden.c is compiled with the command from its header comment.
        if [ -f "$shared/tools/golden/golden.c" ] && "$cc" -std=c11 -D_GNU_SOURCE -g -gdwarf-4 "${extra[@]}" \
            -I"$repo/native/include" "$shared/tools/golden/golden.c" -L"$libdir" -l"$libname" \
            -Wl,-rpath,"$libdir" -o "$golden_bin"; then
            env_args+=(SPLINTER_GOLDEN="$golden_bin")
        else
            echo "run.sh: golden.c not found or did not build (shared folder: $shared)" >&2
        fi
    fi

    local runner=() exe="$bin" qemu_root=/usr/aarch64-linux-gnu
    [ "$m" = musl-arm64 ] && qemu_root="$repo/artifacts/sysroot/linux-musl-arm64/root"
    if [ "$m" = arm64 ] || [ "$m" = musl-arm64 ]; then
        # qemu-user cannot exec an aarch64 file by itself (no binfmt_misc here), so each binary
        # gets a host script that runs it under qemu; "-0 script" makes the script the binary's
        # argv[0], so the harness re-executes itself (second-process tests) through qemu too.
        qemu_wrap "$bin" "$qemu_root"
        exe="$bin.qemu"
        if [[ " ${env_args[*]}" == *" SPLINTER_GOLDEN="* ]]; then
            qemu_wrap "$golden_bin" "$qemu_root"
            env_args+=(SPLINTER_GOLDEN="$golden_bin.qemu")
        fi
        # qemu runs every instruction through its translator: give the per-test alarm room.
        env_args+=(SPLINTER_TEST_TIMEOUT="${SPLINTER_TEST_TIMEOUT:-120}")
    elif [ "$m" = valgrind ]; then
        # valgrind 3.19 lacks pidfd_open/pidfd_getfd (ENOSYS): the child commands that
        # open the owner's bus from another process run natively; every other child is traced.
        runner=(valgrind --tool=memcheck --quiet --error-exitcode=99 --leak-check=full
                --errors-for-leak-kinds=definite --trace-children=yes
                --trace-children-skip-by-arg=bus_cloexec,bus_wait,bus_open_errno)
        env_args+=(SPLINTER_TEST_SLOW=1)
    fi
    local log="$out/$v.log" status
    # The harness's own "summary:" line is parsed below, not shown (build.sh reads our line).
    env "${env_args[@]}" "${runner[@]}" "$exe" --label summary "${filters[@]}" 2>&1 | tee "$log" | grep -v '^summary: '
    status=${PIPESTATUS[0]}

    local line passed=0 failed=0 skipped=0
    line="$(grep -E '^summary: [0-9]+ passed, [0-9]+ failed' "$log" | tail -n 1)"
    if [ -n "$line" ]; then
        passed="$(sed -E 's/^summary: ([0-9]+) passed.*/\1/' <<<"$line")"
        failed="$(sed -E 's/^summary: [0-9]+ passed, ([0-9]+) failed.*/\1/' <<<"$line")"
        if grep -q 'skipped' <<<"$line"; then
            skipped="$(sed -E 's/.*, ([0-9]+) skipped.*/\1/' <<<"$line")"
        fi
    fi
    # A failure the harness could not count itself (crash, valgrind error in the harness).
    if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then
        echo "run.sh: $bin exited with status $status" >&2
        failed=1
    fi
    if [ "$skipped" -gt 0 ]; then
        grep -E '^SKIP ' "$log" | sed 's/^/    skipped: /'
        echo "$label: $passed passed, $failed failed, $skipped skipped"
    else
        echo "$label: $passed passed, $failed failed"
    fi
    [ "$failed" -eq 0 ]
}

case "$mode" in
    all) modes=(plain asan valgrind tsan) ;;
    plain|asan|valgrind|tsan|arm64|musl|musl-arm64) modes=("$mode") ;;
    *) echo "run.sh: unknown mode $mode" >&2; exit 2 ;;
esac

for m in "${modes[@]}"; do
    case "$variant" in
        all)
            variants=(shm persistent)
            case "$m" in plain|arm64|musl|musl-arm64) variants+=(embeddings) ;; esac ;;
        shm|persistent|embeddings) variants=("$variant") ;;
        *) echo "run.sh: unknown variant $variant" >&2; exit 2 ;;
    esac
    for v in "${variants[@]}"; do
        run_one "$m" "$v" || any_failed=1
    done
done
exit "$any_failed"
