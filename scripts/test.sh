#!/usr/bin/env bash
# The whole test suite: lint, typecheck, then every test on real SQLite, PostgreSQL, LXC,
# nftables and Chromium. Installs what it needs first, so it runs on a fresh Debian 12.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$KUMULUS_ROOT"

ensure_runtime
ensure_host_packages
# chromium for the dashboard tests; openssl cross-checks our SHA-512 crypt for root passwords;
# xmllint validates e-invoices and bank files against their XSDs (test fixtures); promtool (prometheus)
# checks the /metrics output. The SFTP backup-target tests start their own sshd on loopback
# (apps/server/test/sshd.ts); the VM tests log in with the OpenSSH client that scripts/lib.sh installs.
apt_install chromium fonts-dejavu-core openssl libxml2-utils prometheus openssh-server
# The NDP anti-spoofing test forges a neighbour advertisement with a raw ICMPv6 socket (python3).
apt_install python3-minimal
ensure_npm_deps
ensure_postgres

log "lint"
npx biome check .
log "typecheck"
npx tsc -p tsconfig.json --noEmit
[ -f apps/web/tsconfig.json ] && npx tsc -p apps/web/tsconfig.json --noEmit
log "build dashboard"
build_web

log "tests"
# Two test files at a time for two cores; each file runs its own control plane under
# names (bridge, table, subnet, database) no other file uses.
node --test --test-concurrency=2 --test-timeout=900000 "${@:-apps/**/*.test.ts}"
