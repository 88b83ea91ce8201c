#!/bin/sh
# Compile the two C pieces into dist/: the exec helper every program is started through, and
# native.node (an N-API addon: pipes, spawning and reaping, pipe readers, rlimits, syslog; the
# POSIX calls Node lacks). Node's headers come with Node.
set -eu
cd "$(dirname "$0")/.."
include="$(node -p 'require("path").join(process.execPath, "..", "..", "include", "node")')"
# The helper is linked statically when the C library allows it: every program is started
# through it, and a static binary skips the dynamic loader (a quarter of a millisecond per start
# on a small VM). glibc's warning that getpwuid and friends load the NSS modules of this same
# glibc at run time is expected and not shown.
if cc -O2 -Wall -Wextra -static -o dist/exec-helper src/posix/exec-helper.c 2>dist/exec-helper.log; then
  grep -v "statically linked applications requires at runtime\|: in function" dist/exec-helper.log >&2 || true
else
  cc -O2 -Wall -Wextra -o dist/exec-helper src/posix/exec-helper.c
fi
rm -f dist/exec-helper.log
cc -O2 -Wall -Wextra -shared -fPIC -DNODE_GYP_MODULE_NAME=native -I"$include" -o dist/native.node src/posix/native.c
