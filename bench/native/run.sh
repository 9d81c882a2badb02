#!/usr/bin/env bash
# Runs the native libsplinter microbenchmark and prints, per operation:
# ns/op (median of 5 runs, CLOCK_MONOTONIC) and instructions/op (callgrind,
# collected only inside that operation's loop function).
#
#   bench/native/run.sh [--json] [--quick] [--ops N] [--callgrind-ops N] [--no-callgrind]
#
# --quick uses 10x fewer operations for both the timed runs and callgrind (a smoke run).
# --json prints one JSON object per operation: {"name","ns","instructions","upstream_instructions"}.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
json=0
ops=2000000
cg_ops=200000
callgrind=1
while [ $# -gt 0 ]; do
  case "$1" in
    --json) json=1 ;;
    --quick) ops=200000; cg_ops=20000 ;;
    --ops) ops="$2"; shift ;;
    --callgrind-ops) cg_ops="$2"; shift ;;
    --no-callgrind) callgrind=0 ;;
    *) echo "usage: $0 [--json] [--quick] [--ops N] [--callgrind-ops N] [--no-callgrind]" >&2; exit 2 ;;
  esac
  shift
done

out="${OUT:-$repo/artifacts/native/default}"
make -s -C "$repo/native" OUT="$out" bench >&2
bin="$out/bench/splinter_bench"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

# Upstream 1.2.0 figures on this workload (instructions/op), for comparison.
declare -A upstream=([set]=1051 [get]=215 [get_epoch]=170 [get_raw_ptr]=189 [open]=null)
# "open" makes system calls (a few microseconds each): 1/200 of the operations, 1/1000 under callgrind.
declare -A scale=([set]=1 [get]=1 [get_epoch]=1 [get_raw_ptr]=1 [open]=200)
declare -A cg_scale=([set]=1 [get]=1 [get_epoch]=1 [get_raw_ptr]=1 [open]=1000)

if [ $json -eq 0 ]; then
  printf '%-12s %10s %16s %22s\n' op ns/op instructions/op upstream-instructions/op
fi
for op in set get get_epoch get_raw_ptr open; do
  op_ops=$((ops / ${scale[$op]}))
  op_cg_ops=$((cg_ops / ${cg_scale[$op]}))
  ns="$("$bin" --only "$op" --ops "$op_ops" --runs 5 --json | sed -n 's/.*"ns":\([0-9.]*\).*/\1/p')"
  instr=null
  if [ $callgrind -eq 1 ] && command -v valgrind >/dev/null 2>&1; then
    cg="$tmp/callgrind.$op"
    valgrind --tool=callgrind --toggle-collect="bench_loop_$op" --callgrind-out-file="$cg" \
      "$bin" --only "$op" --ops "$op_cg_ops" --runs 1 >/dev/null 2>"$tmp/vg.$op.log"
    total="$(awk '/^(summary|totals):/ {print $2; exit}' "$cg")"
    instr="$(awk -v t="$total" -v n="$op_cg_ops" 'BEGIN {printf "%.1f", t / n}')"
  fi
  if [ $json -eq 1 ]; then
    printf '{"name":"%s","ns":%s,"instructions":%s,"upstream_instructions":%s}\n' "$op" "$ns" "$instr" "${upstream[$op]}"
  else
    printf '%-12s %10s %16s %22s\n' "$op" "$ns" "$instr" "${upstream[$op]}"
  fi
done
