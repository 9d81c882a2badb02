#!/usr/bin/env bash
# Instructions per wake-up of each watcher of the latency benchmark, user space of the whole watcher process (every
# thread), under callgrind: where a wake's CPU goes when perf's hardware counters are not available (a VM).
#
#   bench/latency/callgrind-wake.sh [WRITES] [MODE...]      (after bench/run.sh built everything)
#
# MODE: c (bench/latency/bus_wake_watch.c), sync, async, watch (the C# watchers); default all four. A C# writer (the
# benchmark app's latency-write mode, not measured) writes WRITES stamps SPACING_US apart (defaults 300 and 10,000:
# under valgrind the watcher is ~50x slower and its threads take turns; wakes that coalesce only lower the wake count,
# which the figure is divided by). The watcher runs under valgrind and brackets its measured wakes with callgrind client
# requests (collection on after a warm-up of 50 wakes, off at the end). Printed per mode: instructions per wake and the
# functions above 2% of them (JIT-compiled methods named from the runtime's perf map). The C# watchers run with the
# settings of bench/callgrind/dotnet-valgrind.sh (FullOpts from the first compile, client above 4 GiB) and
# DOTNET_ReadyToRun=0, so the framework's methods are JIT-compiled and named in the perf map too. Valgrind 3.19 does
# not know pidfd_open/pidfd_getfd, so here the watcher creates the store and arms its bus, and the writer signals it
# from its own process (SignalLocalWrites): the same eventfd wake, without the owner's pidfd in the watcher's epoll set.
# Every watcher, C included, also looks up the missing "done" key at each wake (a full probe of the 64 slots: C's
# spl_find, C#'s FindFrom), as the benchmark's watchers do.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
writes="${1:-300}"
spacing="${SPACING_US:-10000}"
shift || true
modes=("$@")
((${#modes[@]})) || modes=(c sync async watch)
app="$repo/artifacts/bin/Splinter.Interop.Benchmarks/release/Splinter.Interop.Benchmarks.dll"
watcher="$repo/artifacts/bench/bin/bus_wake_watch"
cg_library="$repo/artifacts/bench/bin/libbench_cg.so"
[[ -f "$app" && -x "$watcher" && -f "$cg_library" ]] || { echo "run bench/run.sh (or ./build.sh bench --quick) first" >&2; exit 1; }
source "$repo/bench/callgrind/dotnet-valgrind.sh"
work="$(mktemp -d "${TMPDIR:-/tmp}/splinter-cg-wake.XXXXXX")"
cleanup() {
  local job
  for job in $(jobs -p); do kill "$job" 2>/dev/null || true; done
  [[ -n "${KEEP_WORK:-}" ]] || rm -rf "$work"
}
trap cleanup EXIT
warmup=50

for mode in "${modes[@]}"; do
  store="spl_bench_cgwake_$$_$mode"
  go="$work/go.$mode"
  dotnet "$app" latency-write "$store" "$((writes + warmup))" "$spacing" "$go" >"$work/writer.$mode" 2>&1 &
  writer=$!
  if [[ "$mode" == c ]]; then
    valgrind --tool=callgrind --collect-atstart=no --callgrind-out-file="$work/cg.$mode" "$watcher" --own "$store" "$warmup" \
      >"$work/out.$mode" 2>"$work/vg.$mode" &
  else
    env "${cg_dotnet_env[@]}" DOTNET_PerfMapEnabled=3 DOTNET_PerfMapJitDumpPath="$work" \
      DOTNET_ReadyToRun=0 SPLINTER_BENCH_CG_LIBRARY="$cg_library" SPLINTER_BENCH_WATCHER_OWNS=1 DOTNET_JitStdOutFile="$work/jit.$mode" \
      valgrind --tool=callgrind "${cg_valgrind_options[@]}" --collect-atstart=no --callgrind-out-file="$work/cg.$mode" \
        dotnet "$app" latency-watch "$store" "$mode" "$warmup" 0 "$work/samples.$mode" >"$work/out.$mode" 2>"$work/vg.$mode" &
  fi
  watch_pid=$!
  until grep -q '^ready' "$work/out.$mode" 2>/dev/null; do
    kill -0 "$watch_pid" 2>/dev/null || { echo "$mode watcher ended early:" >&2; cat "$work/vg.$mode" "$work/out.$mode" >&2; exit 1; }
    sleep 0.2
  done
  touch "$go"
  wait "$watch_pid" || { echo "$mode watcher failed" >&2; tail -n 20 "$work/vg.$mode" "$work/writer.$mode" >&2; }
  wait "$writer" 2>/dev/null || true
  rm -f "/dev/shm/$store"
  part="$work/cg.$mode"
  wakes="$(sed -n 's/.*"wakes":\([0-9]*\).*/\1/p' "$work/out.$mode")"
  total="$(awk '/^(summary|totals):/ {print $2; exit}' "$part")"
  # A method compiled for the first time while counting (a path the warm-up never took) is JIT work, not the wake's:
  # shown apart. The C# watcher reports how many (jit_methods_measured).
  # (awk filters, not grep: a watcher without a JIT, the C one, has no such line, and grep's exit 1 would end the script)
  jit="$(callgrind_annotate --inclusive=no --threshold=100 --auto=no "$part" 2>/dev/null |
    awk '/libclrjit\.so/ {ir = $1; gsub(/,/, "", ir); sum += ir} END {print sum + 0}')"
  jitted="$(sed -n 's/.*"jit_methods_measured":\([0-9]*\).*/\1/p' "$work/out.$mode")"
  printf '\n%s: %s wakes, %.0f instructions per wake (user space, all threads), %.0f of them in the JIT (%s methods compiled while counting)\n' \
    "$mode" "$wakes" "$(awk -v t="$total" -v n="$wakes" 'BEGIN {print t / n}')" "$(awk -v t="$jit" -v n="$wakes" 'BEGIN {print t / n}')" "${jitted:-0}"
  map="$(ls "$work"/perf-*.map 2>/dev/null | head -n 1 || true)"
  cg_self_costs "$part" 98 "$map" |
    awk -F '\t' -v n="$wakes" -v t="$total" '$1 / t >= 0.02 && $3 !~ /libclrjit/ {printf "  %8.0f  %s\n", $1 / n, substr($2, 1, 150)}'
  [[ -n "${KEEP_WORK:-}" ]] || rm -f "$work"/perf-*.map "$work"/cg."$mode"*
done
