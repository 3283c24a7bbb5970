#!/usr/bin/env bash
# Builds the native kernels (libwrinklefree) with the system C compiler; the Maven build runs it in the
# process-classes phase of bitnet-kernels and packs the result into the jar under native/<os>-<arch>/.
#
#   build.sh OUT_ROOT OBJ_DIR [REQUIRED]
#
# OUT_ROOT  receives <os>-<arch>/libwrinklefree.<so|dylib> (e.g. target/classes/native/linux-x86_64/)
# OBJ_DIR   object files
# REQUIRED  "true": a missing compiler or a failed compile fails the build (CI); otherwise the native
#           backend is skipped with one line saying why, and the Java kernels are used.
# CC        the compiler (default: the first of cc, gcc, clang on PATH; "none" skips the native build).
#
# Each ISA file gets its own -m flags and the dispatcher picks at run time from cpuid: never -march=native,
# so the library runs on any CPU of the architecture. -ffp-contract=off keeps the portable path's float
# epilogue bit-identical to the Java oracle; -fno-tree-vectorize keeps gcc's auto-vectorizer away from the
# ISA files (their loops are written with intrinsics; gcc 12 was seen to miscompile an auto-vectorized
# ternary dot product with VNNI enabled).
set -euo pipefail

src=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
out_root=${1:?usage: build.sh OUT_ROOT OBJ_DIR [REQUIRED]}
obj=${2:?usage: build.sh OUT_ROOT OBJ_DIR [REQUIRED]}
required=${3:-false}

say() { echo "[wrinklefree native] $*"; }
skip() {
    if [ "$required" = true ]; then
        say "ERROR: $* (the native library is required: -Dwrinklefree.native.required=true)"
        exit 1
    fi
    say "native kernels skipped: $*; the native backend will be unavailable and the Java kernels are used"
    exit 0
}

case "$(uname -s)" in
    Linux) os=linux; lib=libwrinklefree.so ;;
    Darwin) os=macos; lib=libwrinklefree.dylib ;;
    *) skip "unsupported OS $(uname -s)" ;;
esac
case "$(uname -m)" in
    x86_64 | amd64) arch=x86_64 ;;
    aarch64 | arm64) arch=aarch64 ;;
    *) skip "unsupported architecture $(uname -m)" ;;
esac

cc=${CC:-}
if [ -z "$cc" ]; then
    for c in cc gcc clang; do
        if command -v "$c" > /dev/null 2>&1; then cc=$c; break; fi
    done
fi
if [ -z "$cc" ] || ! command -v "$cc" > /dev/null 2>&1; then
    skip "no C compiler found (CC='${CC:-}', tried cc, gcc, clang)"
fi

out_dir="$out_root/$os-$arch"
out="$out_dir/$lib"
mkdir -p "$out_dir" "$obj"

# Up to date: nothing newer than the library among the sources and this script.
if [ -f "$out" ] && [ -z "$(find "$src" -newer "$out" -type f \( -name '*.c' -o -name '*.h' -o -name '*.sh' \))" ]; then
    say "up to date: $out"
    exit 0
fi

base=(-std=gnu11 -O3 -fPIC -fvisibility=hidden -ffp-contract=off -Wall -Wextra -pthread)
declare -A isa_flags=(
    [avx2]="-mavx2 -mfma -mf16c"
    [avxvnni]="-mavx2 -mfma -mf16c -mavxvnni"
    [avx512bw]="-mavx2 -mfma -mf16c -mavx512f -mavx512bw -mavx512vl"
    [avx512vnni]="-mavx2 -mfma -mf16c -mavx512f -mavx512bw -mavx512vl -mavx512vnni"
    [avx512vnni256]="-mavx2 -mfma -mf16c -mavx512f -mavx512bw -mavx512vl -mavx512vnni"
)

objs=()
defs=()
compile() {  # file, extra flags...
    local f=$1; shift
    "$cc" "${base[@]}" "$@" -c "$src/$f" -o "$obj/${f%.c}.o"
    objs+=("$obj/${f%.c}.o")
}

compile wf_scalar.c
built=(scalar)
if [ "$arch" = x86_64 ]; then
    for isa in avx2 avxvnni avx512bw avx512vnni avx512vnni256; do
        # shellcheck disable=SC2086  # the flags are a word list
        if echo 'int wf_probe;' | "$cc" ${isa_flags[$isa]} -x c -c -o /dev/null - > /dev/null 2>&1; then
            compile "wf_$isa.c" -fno-tree-vectorize ${isa_flags[$isa]}
            built+=("$isa")
            if [ "$isa" = avx512bw ]; then  # the LUT kernels need what the avx512bw path needs
                compile wf_lut_avx512.c -fno-tree-vectorize ${isa_flags[$isa]}
                compile wf_tlut_avx512.c -fno-tree-vectorize ${isa_flags[$isa]}
                built+=(lut tlut)
            fi
        else
            [ "$required" = true ] && skip "$cc does not accept ${isa_flags[$isa]} (needed for the $isa path)"
            say "$cc does not accept ${isa_flags[$isa]}: the $isa path is left out"
            defs+=("-DWF_HAVE_${isa^^}=0")
            [ "$isa" = avx512bw ] && defs+=("-DWF_HAVE_LUT=0")
        fi
    done
fi
compile wf_api.c "${defs[@]}"

tmp="$out.tmp.$$"
"$cc" -shared -pthread -o "$tmp" "${objs[@]}"
mv -f "$tmp" "$out"
say "built $out with $("$cc" --version | head -n 1) (ISA paths: ${built[*]})"
