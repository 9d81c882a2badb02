#!/usr/bin/env bash
# Where the instructions of each C# benchmark loop go: reruns the benchmark app's callgrind mode with the runtime's
# perf map on and prints, per loop region, the functions that cost the most instructions per op, JIT-compiled
# methods named from the perf map (callgrind itself only sees their addresses).
#
#   bench/callgrind/breakdown.sh [OPS] [REGION-SUBSTRING]     (after bench/run.sh built everything)
#
# Example: bench/callgrind/breakdown.sh 20000 store/tryget_key
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
ops="${1:-20000}"
only="${2:-}"
app="$repo/artifacts/bin/Splinter.Interop.Benchmarks/release/Splinter.Interop.Benchmarks.dll"
region_library="$repo/artifacts/bench/bin/libbench_cg.so"
[[ -f "$app" && -f "$region_library" ]] || { echo "run bench/run.sh (or ./build.sh bench --quick) first" >&2; exit 1; }
work="$(mktemp -d "${TMPDIR:-/tmp}/splinter-cg-breakdown.XXXXXX")"
trap 'rm -rf "$work"' EXIT

# Same runtime settings and valgrind options as bench/run.sh (dotnet-valgrind.sh says why --aspace-minaddr), plus
# the perf map and DOTNET_TailCallOpt=0. Callgrind starts a new "function" only at a call; optimized code reaches a
# loop through a precode stub and a tail-called lambda (jumps), so without it a whole loop is booked to the stub's
# address. Turning tail calls into calls costs a few instructions per region, not per op (the per-op totals match
# bench/run.sh's).
source "$here/dotnet-valgrind.sh"
env "${cg_dotnet_env[@]}" DOTNET_JitStdOutFile="$work/jit.txt" \
  DOTNET_PerfMapEnabled=3 DOTNET_PerfMapJitDumpPath="$work" DOTNET_TailCallOpt=0 \
  valgrind --tool=callgrind "${cg_valgrind_options[@]}" --instr-atstart=no --toggle-collect=bench_cg_region \
    --dump-after=bench_cg_region --callgrind-out-file="$work/cg.out" \
    dotnet "$app" callgrind "$region_library" "$ops" >"$work/order" 2>"$work/log"
cg_check_jit_summary "$work/jit.txt" || true
map="$(ls "$work"/perf-*.map | head -n 1)"

k=0
while read -r word name count; do
  [[ "$word" == region ]] || continue
  k=$((k + 1))
  [[ -z "$only" || "$name" == *"$only"* ]] || continue
  part="$work/cg.out.$k"
  total="$(awk '/^(summary|totals):/ {print $2; exit}' "$part")"
  printf '\n%s: %.1f instructions/op\n' "$name" "$(awk -v t="$total" -v n="$count" 'BEGIN {print t / n}')"
  cg_self_costs "$part" 99 "$map" | awk -F '\t' -v n="$count" '$1 / n >= 0.5 {printf "  %8.1f  %s\n", $1 / n, $2}'
done <"$work/order"
