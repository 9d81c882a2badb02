#!/usr/bin/env bash
# One watcher against one writer, both on CPU 1, for long runs and A/B comparisons of two builds:
#
#   bench/latency/one-watcher.sh MODE WRITES [NAME=VALUE...]
#
# MODE is a watcher mode of the benchmark app (sync, async, watch, scan) or of the C watcher (c, c-epoll, c-scan:
# bench/latency/bus_wake_watch.c); WRITES stamps are written 200 us apart, the first 2,000 wake-ups are the warm-up.
# NAME=VALUE pairs go into the watcher's environment (DOTNET_GCgen0size=0x100000, for instance). Prints the watcher's
# JSON line (per wake-up figures: this script does not charge coalesced writes, the full benchmark does). The watcher
# creates the store and arms its bus; the writer signals that bus from its own process (SignalLocalWrites), as in
# bench/latency/callgrind-wake.sh. REPO=DIR measures another checkout's build (after `./build.sh bench --quick` or a
# bench build there). Used for the feed's before/after runs in bench/README.md.
set -euo pipefail

[[ $# -ge 2 ]] || { echo "usage: $0 MODE WRITES [NAME=VALUE...]" >&2; exit 2; }
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="${REPO:-$(cd "$here/../.." && pwd)}"
mode="$1"
writes="$2"
shift 2
app="$repo/artifacts/bin/Splinter.Interop.Benchmarks/release/Splinter.Interop.Benchmarks.dll"
native="$repo/artifacts/native/default"
[[ -f "$app" && -d "$native" ]] || { echo "build the benchmarks in $repo first (./build.sh bench --quick)" >&2; exit 1; }

work="$(mktemp -d "${TMPDIR:-/tmp}/splinter-one-watcher.XXXXXX")"
store="spl_one_watcher_$$"
cleanup() {
  local job
  for job in $(jobs -p); do kill "$job" 2>/dev/null || true; done
  rm -rf "$work"
  rm -f "/dev/shm/$store"
}
trap cleanup EXIT

OUT="$native" taskset -c 1 dotnet "$app" latency-write "$store" "$writes" 200 "$work/go" >"$work/writer" 2>&1 &
writer=$!
case "$mode" in
  c) c_flags=(--own) ;;
  c-epoll) c_flags=(--own --epoll) ;;
  c-scan) c_flags=(--own --epoll --scan) ;;
  *) c_flags=() ;;
esac
if ((${#c_flags[@]})); then
  c_watcher="$repo/artifacts/bench/bin/bus_wake_watch"
  [[ -x "$c_watcher" ]] || { echo "no $c_watcher: run ./build.sh bench --quick in $repo first" >&2; exit 1; }
  env "$@" taskset -c 1 "$c_watcher" "${c_flags[@]}" "$store" 2000 >"$work/out" 2>&1 &
else
  env "$@" DOTNET_TC_CallCountingDelayMs=0 SPLINTER_BENCH_WATCHER_OWNS=1 OUT="$native" \
    taskset -c 1 dotnet "$app" latency-watch "$store" "$mode" 2000 0 "$work/samples" >"$work/out" 2>&1 &
fi
watcher=$!
until grep -q '^ready' "$work/out" 2>/dev/null; do
  kill -0 "$watcher" 2>/dev/null || { cat "$work/out" >&2; exit 1; }
  sleep 0.1
done
touch "$work/go"
wait "$watcher" || { cat "$work/out" >&2; exit 1; }
wait "$writer" || true
grep '^{' "$work/out"
