#!/bin/sh
# Rebuilds hash_to_u.wasm and its embedding src/group/x25519/hash-to-u-wasm.ts from
# hash_to_u.c. Needs clang and wasm-ld (Debian: apt-get install clang lld). Run by
# hand after editing the C source; npm ci, the build and CI use the committed output.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
clang --target=wasm32 -O3 -nostdlib -fno-builtin -Wall -Wextra \
  -Wl,--no-entry -Wl,--strip-all -Wl,-z,stack-size=65536 \
  -o "$here/hash_to_u.wasm" "$here/hash_to_u.c"
cd "$root" && npx tsx scripts/embed-wasm.ts "$here/hash_to_u.wasm" "$root/src/group/x25519/hash-to-u-wasm.ts"
