#!/usr/bin/env bash
# Runs one benchmark under bench/ with what it needs installed: scripts/bench.sh provision --image debian-12 --ssh 20
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$KUMULUS_ROOT"

[ $# -ge 1 ] || { echo "usage: scripts/bench.sh NAME [options]   (NAME: provision, dashboard …; see bench/README.md)" >&2; exit 2; }
name="$1"; shift
[ -f "bench/$name.ts" ] || { echo "no benchmark bench/$name.ts" >&2; exit 2; }
ensure_runtime
ensure_host_packages
case "$name" in
  provision) apt_install openssh-client ;;            # ssh and ssh-keygen for create→SSH answering
  provision-vm) apt_install openssh-client ;;         # the same for virtual machines
  dashboard) apt_install chromium fonts-dejavu-core ;; # the browser it measures in
  backup) apt_install zstd ;;                          # raw tar | zstd, what restic is compared with
  network-nic) apt_install iperf3 ;;                   # vSwitch against plain veth throughput
  firewall) apt_install iperf3 ;;                      # throughput between two NICs, with and without the firewall
esac
ensure_npm_deps
exec node "bench/$name.ts" "$@"
