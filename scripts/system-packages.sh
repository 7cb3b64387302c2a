#!/usr/bin/env bash
# Installs the Debian packages that `make test` and `make bench` need when they are missing:
# redis-server (the broker and cache), gettext (the catalogue test runs makemessages), chromium
# (the browser tests, with --browser; Playwright cannot download its own browser here) and wrk
# (the bench's HTTP load, with --bench).
# PostgreSQL's server binaries are expected on the machine.
set -euo pipefail
need=()
command -v redis-server >/dev/null 2>&1 || need+=(redis-server)
command -v msgfmt >/dev/null 2>&1 || need+=(gettext)
if [ "${1:-}" = "--browser" ]; then
  command -v chromium >/dev/null 2>&1 || need+=(chromium)
fi
if [ "${1:-}" = "--bench" ]; then
  command -v wrk >/dev/null 2>&1 || need+=(wrk)
fi
[ ${#need[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
  echo "Missing system packages: ${need[*]}. Install them with: sudo apt-get install -y ${need[*]}" >&2
  exit 1
fi
echo "Installing ${need[*]} with apt-get ..."
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq "${need[@]}" >/dev/null
