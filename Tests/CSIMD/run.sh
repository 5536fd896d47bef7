#!/usr/bin/env bash
# Checks the C UTF-8 kernels (Modules/CSIMD) against a byte-wise reference: this machine's own
# kernels natively, and the AArch64 (NEON) kernel under qemu when this machine is not AArch64.
# Installs the cross compiler and qemu from Debian's archive when missing (as `make deps` does).
set -euo pipefail
cd "$(dirname "$0")/../.."
out="${TMPDIR:-/tmp}/swiftws-csimd"
mkdir -p "$out"
sources=(Modules/CSIMD/utf8.c Tests/CSIMD/kernels_test.c)
flags=(-O2 -Wall -Wextra -Werror -I Modules/CSIMD/include)

echo "csimd: native ($(uname -m))"
"${CC:-cc}" "${flags[@]}" "${sources[@]}" -o "$out/native"
"$out/native"

case "$(uname -m)" in aarch64 | arm64) exit 0 ;; esac

cross_packages=(gcc-aarch64-linux-gnu libc6-dev-arm64-cross qemu-user)
if ! command -v aarch64-linux-gnu-gcc >/dev/null || ! command -v qemu-aarch64 >/dev/null; then
    if ! command -v apt-get >/dev/null; then
        echo "csimd: needs aarch64-linux-gnu-gcc and qemu-aarch64 to check the NEON kernel; install them" >&2
        exit 1
    fi
    echo "csimd: installing ${cross_packages[*]}"
    sudo=""; [ "$(id -u)" = 0 ] || sudo=sudo
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${cross_packages[@]}" >/dev/null
fi
echo "csimd: aarch64 under qemu"
aarch64-linux-gnu-gcc "${flags[@]}" -static "${sources[@]}" -o "$out/aarch64"
qemu-aarch64 "$out/aarch64"
