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
  callgrind_annotate --inclusive=no --threshold=99 --auto=no "$part" 2>/dev/null |
    sed -n '/file:function/,$p' | tail -n +3 | sed '/^ *$/,$d' |
    awk -v n="$count" -v map="$map" '
      function hex(text,    i, value) {
        text = tolower(text); sub(/^0x/, "", text); value = 0
        for (i = 1; i <= length(text); i++) value = value * 16 + index("0123456789abcdef", substr(text, i, 1)) - 1
        return value
      }
      BEGIN {
        while ((getline line < map) > 0) {
          split(line, f, " "); start = hex(f[1]); size = hex(f[2])
          name = line; sub(/^[^ ]+ [^ ]+ /, "", name)
          starts[++m] = start; ends[m] = start + size; names[m] = name
        }
      }
      NF >= 3 {
        ir = $1; gsub(/,/, "", ir); fn = $0; sub(/^ *[0-9,]+ +\( *[0-9.]+%\) +/, "", fn); sub(/ \[.*$/, "", fn)
        if (fn ~ /^\?\?\?:0x/) {
          address = hex(substr(fn, 5))
          for (i = 1; i <= m; i++) if (address >= starts[i] && address < ends[i]) { fn = "[JIT] " names[i]; break }
        } else {
          sub(/^.*:/, "", fn)
        }
        if (ir / n >= 0.5) printf "  %8.1f  %s\n", ir / n, fn
      }'
done <"$work/order"
