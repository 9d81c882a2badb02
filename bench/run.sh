#!/usr/bin/env bash
# One benchmark command: the native C baseline and the .NET benchmarks side by side, in one run.
#
#   bench/run.sh [--quick]          (./build.sh bench [--quick] calls this)
#
#  1. Release build: libsplinter (make -C native), the C helpers (bench/latency, bench/callgrind) and
#     bench/Splinter.Interop.Benchmarks.
#  2. Native baseline: bench/native/run.sh --json (ns/op median of 5 runs, instructions/op under callgrind).
#  3. Instructions/op of the C# loops (raw and SplinterStore) under callgrind (one valgrind run, one dumped part
#     per loop; bench/callgrind/breakdown.sh shows where they go). Runtime settings and valgrind options come from
#     bench/callgrind/dotnet-valgrind.sh; the JIT's method summary (artifacts/bench/work/cg.jit.txt) is checked
#     for MinOpts methods, which would mean the counts are not of optimized code.
#  4. BenchmarkDotNet (raw static imports, raw function pointers, SplinterStore; memory diagnoser), the cross-process
#     wake latency in rounds (C poll+read waiter against C# Wait, WaitAsync, WatchAsync; cancellation; polling mode;
#     idle CPU) and the contention rows (1 writer + 1 or 3 readers, threads or processes, C and C#), then one printed
#     table and artifacts/bench/summary.json (+ summary.md). The C timings run again after the managed ones and the lower
#     median of the two counts, so a load spike during the short C runs cannot flatter C#.
# --quick: short BenchmarkDotNet job, 10x fewer native ops, fewer latency samples, fewer callgrind ops.
# Speed is never asserted here; CI runs --quick only to prove that everything builds and runs.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/.." && pwd)"
quick=0
for arg in "$@"; do
  case "$arg" in
    --quick) quick=1 ;;
    -h|--help) sed -n '2,/^set /p' "${BASH_SOURCE[0]}" | grep '^#' | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "usage: $0 [--quick]" >&2; exit 2 ;;
  esac
done

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1 MSBUILDDISABLENODEREUSE=1
out="$repo/artifacts/bench"
bin="$out/bin"
work="$out/work"
native_out="$repo/artifacts/native/default"
mkdir -p "$bin"
rm -rf "$work" "$out/bdn"
mkdir -p "$work"
started=$SECONDS
log() { printf '\n==> [%3ds] %s\n' $((SECONDS - started)) "$*" >&2; }
quick_flag=()
((quick)) && quick_flag=(--quick)

# Benchmark stores are named spl_bench_..._<pid>_...; remove those whose process is gone (a crashed earlier run).
remove_stale_stores() {
  local object pid
  for object in /dev/shm/spl_bench_*; do
    [[ -e "$object" ]] || continue
    pid="$(basename "$object" | tr '_' '\n' | grep -E '^[0-9]+$' | head -n 1)"
    if [[ -n "$pid" ]] && ! kill -0 "$pid" 2>/dev/null; then rm -f "$object"; fi
  done
}
remove_stale_stores
trap remove_stale_stores EXIT

log "native library ($native_out)"
make -s -C "$repo/native" OUT="$native_out"

log "C helpers: latency watcher, contention stress, callgrind region"
cflags=(-std=c11 -O2 -g -gdwarf-4 -Wall -Wextra -Werror)
clang-19 "${cflags[@]}" -I"$repo/native/include" "$here/latency/bus_wake_watch.c" \
  -L"$native_out" -lsplinter -Wl,-rpath,"$native_out" -lpthread -o "$bin/bus_wake_watch"
clang-19 "${cflags[@]}" -I"$repo/native/include" "$here/contention/mrsw_stress.c" \
  -L"$native_out" -lsplinter -Wl,-rpath,"$native_out" -lpthread -o "$bin/mrsw_stress"
clang-19 "${cflags[@]}" -fPIC -shared -fvisibility=hidden "$here/callgrind/cg_region.c" -o "$bin/libbench_cg.so"

log "Release build of bench/Splinter.Interop.Benchmarks"
dotnet build "$here/Splinter.Interop.Benchmarks" -c Release --nologo -v:q -clp:ErrorsOnly
app="$repo/artifacts/bin/Splinter.Interop.Benchmarks/release/Splinter.Interop.Benchmarks.dll"
[[ -f "$app" ]] || { echo "benchmark app not found at $app" >&2; exit 1; }

log "native C baseline (bench/native/run.sh --json ${quick_flag[*]:-})"
OUT="$native_out" "$here/native/run.sh" --json "${quick_flag[@]}" | tee "$work/native.jsonl" >&2

instructions="$work/managed-instructions.txt"
: > "$instructions"
if command -v valgrind >/dev/null 2>&1; then
  cg_ops=200000
  ((quick)) && cg_ops=20000
  log "callgrind: C# loops, raw and SplinterStore ($cg_ops ops each, JIT warmed outside the collected region)"
  # Settings and valgrind options (why --aspace-minaddr: without it the JIT falls back to MinOpts under valgrind).
  source "$here/callgrind/dotnet-valgrind.sh"
  cg_rc=0
  env "${cg_dotnet_env[@]}" DOTNET_JitStdOutFile="$work/cg.jit.txt" \
    valgrind --tool=callgrind "${cg_valgrind_options[@]}" --instr-atstart=no --toggle-collect=bench_cg_region \
      --dump-after=bench_cg_region --callgrind-out-file="$work/cg.out" \
      dotnet "$app" callgrind "$bin/libbench_cg.so" "$cg_ops" >"$work/cg.order" 2>"$work/cg.log" || cg_rc=$?
  if ((cg_rc != 0)); then
    echo "callgrind of the C# loops failed (exit $cg_rc); C# instr/op stays empty. Log: $work/cg.log" >&2
  else
    cg_check_jit_summary "$work/cg.jit.txt" || true
    # Part k (in dump order) belongs to the k-th "region NAME OPS" line the app printed.
    mapfile -t parts < <(ls "$work"/cg.out.* 2>/dev/null | awk -F. '{print $NF "\t" $0}' | sort -n | cut -f2)
    k=0
    while read -r word name ops; do
      [[ "$word" == region ]] || continue
      part="${parts[$k]:-}"
      k=$((k + 1))
      [[ -n "$part" ]] || { echo "callgrind: no dump for $name" >&2; continue; }
      total="$(awk '/^(summary|totals):/ {print $2; exit}' "$part")"
      [[ -n "$total" ]] && awk -v n="$name" -v t="$total" -v o="$ops" 'BEGIN {printf "%s %.1f\n", n, t / o}' >>"$instructions"
    done <"$work/cg.order"
    cat "$instructions" >&2
  fi
else
  echo "valgrind not found: no instruction counts for the C# loops" >&2
fi

log "BenchmarkDotNet + wake latency"
OUT="$native_out" dotnet "$app" run "${quick_flag[@]}" --native "$work/native.jsonl" --native-rerun "$here/native/run.sh" \
  --instructions "$instructions" \
  --c-watcher "$bin/bus_wake_watch" --c-stress "$bin/mrsw_stress" --out "$out"

log "done in $((SECONDS - started)) s"
