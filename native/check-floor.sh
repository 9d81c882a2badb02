#!/usr/bin/env bash
# Checks the native files of a Splinter.Interop package against the oldest C library each runtime folder
# promises (README.md, "Platforms"): glibc 2.27 for linux-x64 and linux-arm64 (.NET 10's own floor), musl 1.2.3
# for linux-musl-x64 and linux-musl-arm64.
#
#   native/check-floor.sh PACKAGE.nupkg
#
# For every runtimes/<rid>/native/*.so in the package:
#   - the ELF file is 64-bit for the folder's processor (x86-64 or AArch64);
#   - glibc folders: it needs libc.so.6 and no glibc symbol version above 2.27 (readelf's version needs, the
#     complete list), never GLIBC_PRIVATE; the line names the highest version and the symbols that need it;
#   - musl folders: it needs musl's libc.so only, carries no symbol versions, and every symbol it imports is
#     defined by the musl it was built against, which must itself be no newer than 1.2.3: for linux-musl-x64 the
#     installed musl-dev and its libc.so, for linux-musl-arm64 the arm64 musl and musl-dev that ./build.sh
#     extracts into artifacts/sysroot/linux-musl-arm64 (their versions from packages.txt there).
# Every runtime folder must hold the same five files. Prints one PASS/FAIL line per file and ends with
# "platform-floor: N passed, N failed"; exits non-zero on any failure.
set -uo pipefail

GLIBC_FLOOR=2.27
MUSL_FLOOR=1.2.3
MUSL_LIBC_X64=/usr/lib/x86_64-linux-musl/libc.so
MUSL_ARM64_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/artifacts/sysroot/linux-musl-arm64"
MUSL_LIBC_ARM64="$MUSL_ARM64_DIR/root/lib/aarch64-linux-musl/libc.so"
EXPECTED_FILES="libsplinter.so libsplinter_embeddings.so libsplinter_p.so libsplinter_p_embeddings.so libsplinter_shim.so"

passed=0 failed=0
result() { # PASS|FAIL subject detail
    echo "$1 $2: $3"
    if [[ $1 == PASS ]]; then passed=$((passed + 1)); else failed=$((failed + 1)); fi
}
finish() {
    echo "platform-floor: $passed passed, $failed failed"
    ((failed == 0 && passed > 0))
    exit
}

package="${1:-}"
if [[ ! -f "$package" ]]; then
    result FAIL package "no package given or not found: '$package' (usage: native/check-floor.sh PACKAGE.nupkg)"
    finish
fi
work="$(mktemp -d "${TMPDIR:-/tmp}/splinter-floor.XXXXXX")"
trap 'rm -rf "$work"' EXIT
if ! unzip -q "$package" 'runtimes/*' -d "$work" 2>/dev/null; then
    result FAIL package "$(basename "$package") has no runtimes/ folder"
    finish
fi

# version_le A B: true when version A <= version B.
version_le() { [[ "$(printf '%s\n%s\n' "$1" "$2" | sort -V | head -n 1)" == "$1" ]]; }

check_glibc() { # file label
    local file="$1" label="$2" needed versions highest symbols
    needed="$(readelf -d -W "$file" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p' | tr '\n' ' ')"
    if [[ " $needed " != *" libc.so.6 "* ]] || [[ " $needed " == *" libc.so "* ]]; then
        result FAIL "$label" "needs [${needed% }], expected glibc's libc.so.6"
        return
    fi
    versions="$(readelf -V -W "$file" | sed -n 's/.*Name: GLIBC_\([0-9.A-Z_]*\) .*/\1/p' | sort -V -u)"
    if grep -qx PRIVATE <<<"$versions"; then
        result FAIL "$label" "needs GLIBC_PRIVATE"
        return
    fi
    highest="$(tail -n 1 <<<"$versions")"
    if [[ -z "$highest" ]]; then
        result FAIL "$label" "carries no glibc symbol versions (not linked against glibc?)"
        return
    fi
    symbols="$(objdump -T "$file" | awk -v v="GLIBC_$highest" '{ for (i = 1; i <= NF; i++) if ($i == "(" v ")" || $i == v) print $NF }' | sort -u |
               awk '{ n++; if (n <= 4) list = list (n > 1 ? " " : "") $0 } END { if (n > 4) list = list " and " n - 4 " more"; print list }')"
    if version_le "$highest" "$GLIBC_FLOOR"; then
        result PASS "$label" "glibc, highest GLIBC_$highest (${symbols% }) <= $GLIBC_FLOOR"
    else
        result FAIL "$label" "needs GLIBC_$highest (${symbols% }), above the floor $GLIBC_FLOOR"
    fi
}

check_musl() { # file label musl-version musl-libc.so
    local file="$1" label="$2" musl="$3" libc="$4" needed missing
    needed="$(readelf -d -W "$file" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p' | tr '\n' ' ')"
    if [[ "${needed% }" != "libc.so" ]]; then
        result FAIL "$label" "needs [${needed% }], expected musl's libc.so only"
        return
    fi
    if readelf -V -W "$file" | grep -q 'Name: '; then
        result FAIL "$label" "carries symbol versions (linked against glibc?)"
        return
    fi
    # Strong undefined symbols only: a weak one may be missing at run time by definition.
    missing="$(comm -23 <(nm -D --undefined-only "$file" | awk '$1 == "U" { print $2 }' | LC_ALL=C sort -u) \
                       <(nm -D --defined-only "$libc" | awk '{ print $NF }' | LC_ALL=C sort -u) | tr '\n' ' ')"
    if [[ -n "$missing" ]]; then
        result FAIL "$label" "imports symbols musl $musl does not define: ${missing% }"
    else
        result PASS "$label" "musl, every import defined by musl $musl (floor $MUSL_FLOOR)"
    fi
}

# The upstream version of a Debian version (1.2.3-1 -> 1.2.3).
upstream_version() { sed 's/-[^-]*$//'; }
musl_version_x64="$(dpkg-query -W -f='${Version}' musl-dev 2>/dev/null | upstream_version)"
# arm64: musl (libc.so) and musl-dev (headers, start files) as extracted; one version for both, or none.
musl_version_arm64=""
if [[ -f "$MUSL_ARM64_DIR/packages.txt" && -f "$MUSL_LIBC_ARM64" ]]; then
    musl_version_arm64="$(awk '($1 == "musl" || $1 == "musl-dev") && $3 == "arm64" { print $2 }' "$MUSL_ARM64_DIR/packages.txt" | sort -u)"
    if [[ "$(wc -l <<<"$musl_version_arm64")" != 1 ]] || (($(grep -cE '^musl(-dev)? ' "$MUSL_ARM64_DIR/packages.txt") != 2)); then
        musl_version_arm64=""
    fi
    musl_version_arm64="$(upstream_version <<<"$musl_version_arm64")"
fi
shopt -s nullglob
folders=("$work"/runtimes/*/native)
if ((${#folders[@]} == 0)); then
    result FAIL package "$(basename "$package") has no runtimes/<rid>/native folder"
    finish
fi
for folder in "${folders[@]}"; do
    rid="$(basename "$(dirname "$folder")")"
    present="$(cd "$folder" && ls | LC_ALL=C sort | tr '\n' ' ')"
    if [[ "${present% }" == "$EXPECTED_FILES" ]]; then
        result PASS "runtimes/$rid" "the five native files"
    else
        result FAIL "runtimes/$rid" "holds [${present% }], expected [$EXPECTED_FILES]"
    fi
    # A musl folder is checked against that musl's libc.so; where its version comes from is said when it is unknown.
    musl_version="" musl_libc="" musl_source=""
    case "$rid" in
        linux-x64) machine="Advanced Micro Devices X86-64" ;;
        linux-arm64) machine="AArch64" ;;
        linux-musl-x64)
            machine="Advanced Micro Devices X86-64" musl_version="$musl_version_x64" musl_libc="$MUSL_LIBC_X64"
            musl_source="the installed musl-dev is '${musl_version_x64:-missing}'" ;;
        linux-musl-arm64)
            machine="AArch64" musl_version="$musl_version_arm64" musl_libc="$MUSL_LIBC_ARM64"
            musl_source="the arm64 musl and musl-dev in $MUSL_ARM64_DIR are '${musl_version_arm64:-missing or of two versions}' (./build.sh prereqs fetches them)" ;;
        *) result FAIL "runtimes/$rid" "no floor is defined for this runtime identifier"; continue ;;
    esac
    for file in "$folder"/*.so; do
        label="runtimes/$rid/native/$(basename "$file")"
        header="$(readelf -h "$file" 2>/dev/null)"
        if ! grep -q 'Class: *ELF64' <<<"$header" || ! grep -q "Machine: *$machine\$" <<<"$header"; then
            result FAIL "$label" "not a 64-bit $machine ELF file: $(sed -n 's/ *Machine: *//p' <<<"$header")"
            continue
        fi
        if [[ -z "$musl_libc" ]]; then
            check_glibc "$file" "$label"
        elif [[ -z "$musl_version" ]] || ! version_le "$musl_version" "$MUSL_FLOOR"; then
            result FAIL "$label" "cannot check against musl $MUSL_FLOOR: $musl_source"
        else
            check_musl "$file" "$label" "$musl_version" "$musl_libc"
        fi
    done
done
finish
