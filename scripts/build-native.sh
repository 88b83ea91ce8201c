#!/bin/sh
# Compile the two C pieces into dist/: the exec helper every program is started through, and
# native.node (pipe2, rlimits, syslog: POSIX calls Node lacks). Node's headers come with Node.
set -eu
cd "$(dirname "$0")/.."
include="$(node -p 'require("path").join(process.execPath, "..", "..", "include", "node")')"
cc -O2 -Wall -Wextra -o dist/exec-helper src/posix/exec-helper.c
cc -O2 -Wall -Wextra -shared -fPIC -DNODE_GYP_MODULE_NAME=native -I"$include" -o dist/native.node src/posix/native.c
