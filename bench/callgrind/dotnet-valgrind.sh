# How bench/run.sh and bench/callgrind/breakdown.sh start the .NET benchmark app under valgrind. Sourced, not run.
#
# cg_dotnet_env: runtime settings. TieredCompilation=0 so the warm runs leave fully optimized (FullOpts) code, W^X
#   off (no double mapping of the code heap), a 256 MiB GC heap limit (settings the callgrind mode always used).
#   DOTNET_JitStdOutFile + DOTNET_JitDisasmSummary=1 list every JIT-compiled method with its optimization level, so
#   cg_check_jit_summary can prove that the loops were measured as FullOpts code.
#
# cg_valgrind_options: --aspace-minaddr=0x100000000 (4 GiB). Without it, .NET methods that call another managed
#   method or a runtime helper through an indirection cell are silently compiled with MinOpts under valgrind
#   (measured 2026-11-25, .NET 10.0.12, valgrind 3.19: 124 of 185 methods of the callgrind mode, among them every
#   StoreOps loop, every SplinterStore hot method and RawOps StaticSet/PointerSet). The chain:
#   - valgrind's address-space manager hands out client mappings bottom-up from low addresses; a normal process gets
#     them top-down near 0x7fxxxxxxxxxx. Under valgrind libcoreclr.so lands at ~0x04e00000 and the runtime's code,
#     stub and loader heaps (its "preferred range" for rel32 addressing, reserved next to libcoreclr) below 2 GiB.
#   - For "call [cell]" the JIT picks the 7-byte absolute form ([disp32] with a SIB byte, no relocation) whenever
#     the cell address fits in a signed 32-bit value. When the x64 emitter writes that form it asserts
#     (noway_assert) that the runtime's relocation hint for the address is not IMAGE_REL_BASED_REL32. The runtime
#     answers REL32 for addresses in its preferred range, so below 2 GiB the assertion fails for nearly every
#     indirection cell (the FullOpts listing stops right before the call, and DOTNET_JitEnableOptionalRelocs=0,
#     which makes the runtime never answer REL32, removes the fallback).
#   - A failed noway_assert ends the compile with an internal error, and the JIT retries the method once with
#     MinOpts (no inlining, locals on the stack). A release JIT ignores noway_asserts in MinOpts, so the retry emits
#     the same absolute form (FF 14 25 disp32), which is correct since the address does fit in 32 bits. Nothing is
#     logged; only the JitStdOutFile summary shows "MinOpts".
#   With every client mapping above 4 GiB no address fits in 32 bits, the JIT takes the RIP-relative path it takes in
#   a normal process: the list of compiled methods and every code size match a run without valgrind (105 methods,
#   all FullOpts; compared with AVX-512 off natively, since valgrind 3.19 does not emulate it and the JIT then
#   targets AVX2). 0x100000000 is within valgrind's allowed range (at most 0x200000000).
#   DOTNET_JitEnableOptionalRelocs=0 also avoids the fallback, but it changes the code (no rel32 addressing at all):
#   97 of 105 methods differ in size from the native run, so it is not used.
cg_dotnet_env=(DOTNET_TieredCompilation=0 DOTNET_EnableWriteXorExecute=0 DOTNET_GCHeapHardLimit=0x10000000
  DOTNET_JitDisasmSummary=1)
cg_valgrind_options=(--aspace-minaddr=0x100000000)

# cg_check_jit_summary FILE: warns on stderr (and returns 1) when FILE, a DOTNET_JitStdOutFile summary, lists
# methods compiled with MinOpts, or when it is missing.
cg_check_jit_summary() {
  local summary="$1" minopts fullopts
  if [[ ! -s "$summary" ]]; then
    echo "callgrind: no JIT summary at $summary; cannot tell whether the C# loops were optimized" >&2
    return 1
  fi
  minopts="$(grep -c '\[MinOpts' "$summary" || true)"
  fullopts="$(grep -c '\[FullOpts' "$summary" || true)"
  if ((minopts > 0)); then
    echo "callgrind: WARNING: $minopts of $((minopts + fullopts)) methods were JIT-compiled with MinOpts;" \
      "the C# counts do not measure optimized code (see bench/callgrind/dotnet-valgrind.sh). First ones:" >&2
    # The measured loops and the store's methods first.
    local loops='(StoreOps|RawOps|SplinterStore):'
    { grep '\[MinOpts' "$summary" | grep -E "$loops" || true
      grep '\[MinOpts' "$summary" | grep -vE "$loops" || true; } |
      head -n 5 | sed 's/^ *[0-9]*: JIT compiled /  /' >&2
    return 1
  fi
  echo "callgrind: all $fullopts JIT-compiled methods are FullOpts" >&2
}

# cg_self_costs PART THRESHOLD [PERF_MAP]: the functions of one callgrind part by their own (exclusive) instructions,
# as callgrind_annotate lists them down to THRESHOLD percent, one per line: "instructions<TAB>name<TAB>object".
# JIT-compiled code, which callgrind only knows as "???:0xADDRESS", is named from the runtime's perf map when one is
# given; other names lose their "file:" prefix.
cg_self_costs() {
  local part="$1" threshold="$2" map="${3:-}"
  callgrind_annotate --inclusive=no --threshold="$threshold" --auto=no "$part" 2>/dev/null |
    sed -n '/file:function/,$p' | tail -n +3 | sed '/^ *$/,$d' |
    awk -v map="$map" '
      function hex(text,    i, value) {
        text = tolower(text); sub(/^0x/, "", text); value = 0
        for (i = 1; i <= length(text); i++) value = value * 16 + index("0123456789abcdef", substr(text, i, 1)) - 1
        return value
      }
      BEGIN {
        while (map != "" && (getline line < map) > 0) {
          split(line, f, " "); start = hex(f[1]); size = hex(f[2])
          name = line; sub(/^[^ ]+ [^ ]+ /, "", name)
          starts[++m] = start; ends[m] = start + size; names[m] = name
        }
      }
      NF >= 3 {
        ir = $1; gsub(/,/, "", ir); fn = $0; sub(/^ *[0-9,]+ +\( *[0-9.]+%\) +/, "", fn)
        object = ""; if (match(fn, / \[.*$/)) { object = substr(fn, RSTART + 2, RLENGTH - 3); fn = substr(fn, 1, RSTART - 1) }
        if (fn ~ /^\?\?\?:0x/) {
          address = hex(substr(fn, 5))
          for (i = 1; i <= m; i++) if (address >= starts[i] && address < ends[i]) { fn = "[JIT] " names[i]; break }
        } else {
          sub(/^.*:/, "", fn)
        }
        printf "%s\t%s\t%s\n", ir, fn, object
      }'
}
