#!/bin/sh
# Compile native.node into dist/: an N-API addon with the POSIX calls Node lacks (pipes,
# starting programs as supervisord's children are started, reaping, pipe readers and pipe-to-file
# transfers, rlimits, syslog). Node's headers come with Node.
set -eu
cd "$(dirname "$0")/.."
include="$(node -p 'require("path").join(process.execPath, "..", "..", "include", "node")')"
cc -O2 -Wall -Wextra -shared -fPIC -DNODE_GYP_MODULE_NAME=native -I"$include" -o dist/native.node src/posix/native.c src/posix/spawn-child.c
