#!/usr/bin/env bash
# Packs what the GPU check needs on a lent device machine, which has no
# build tools: the sparkc binary (stripped), the shared libraries ldd lists
# (less the C library and the loader, which the machine has), the stdlib.
#   tools/device/bundle.sh [BUILD]     writes .device/ (ignored by git)
# Then, through the device tool: carry [".device"], run tools/device/gpu_check.sh
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$root/build}
out=$root/.device
rm -rf "$out"
mkdir -p "$out/lib" "$out/bin"
strip -o "$out/bin/sparkc" "$build/tools/sparkc/sparkc"
ldd "$build/tools/sparkc/sparkc" | awk '/=> \// {print $3}' | while read -r lib; do
  case "$(basename "$lib")" in
    libc.so.*|libm.so.*|libpthread.so.*|libdl.so.*|librt.so.*|ld-linux*) ;;
    *) cp -L "$lib" "$out/lib/" ;;
  esac
done
cp -r "$root/stdlib" "$out/stdlib"
du -sh "$out"
