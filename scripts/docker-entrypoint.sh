#!/bin/sh
# The container's entrypoint: runs its arguments (by default the supervisor) as the unprivileged `bun` user.
#
# A Fly volume, like a fresh bind mount, is mounted owned by root, which `bun` cannot write to. So when the
# container starts as root, this gives the data directory to `bun` and then drops root for good (setpriv, from
# util-linux) before anything else runs. Herald, Litestream and every `herald` command (the image's
# /usr/local/bin/herald comes through here too, even from `fly ssh console`) run as `bun`, so the files they
# create stay usable by the service.
set -eu
if [ "$(id -u)" = 0 ]; then
  data="${HERALD_DATA_DIR:-/data}"
  mkdir -p "$data"
  if [ "$(stat -c %U "$data")" != bun ]; then chown -R bun:bun "$data"; fi
  exec setpriv --reuid=bun --regid=bun --init-groups -- "$@"
fi
exec "$@"
