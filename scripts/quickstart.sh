#!/usr/bin/env bash
# Installs everything Kumulus needs on this Debian host and starts it with the embedded
# default (SQLite store, local LXC engine), then prints the dashboard URL and how to sign in.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$KUMULUS_ROOT"

DATA_DIR="${KUMULUS_DATA_DIR:-/var/lib/kumulus}"
LISTEN="${KUMULUS_LISTEN:-127.0.0.1:8080}"

ensure_runtime
ensure_host_packages
ensure_npm_deps
build_web
ln -sf "$KUMULUS_ROOT/bin/kumulus" /usr/local/bin/kumulus

# First run: make the first operator's credentials and keep them readable by root only.
mkdir -p "$DATA_DIR"
CREDS="$DATA_DIR/initial-credentials"
if [ ! -f "$CREDS" ]; then
  (umask 077
  {
    echo "KUMULUS_BOOTSTRAP_EMAIL=admin@kumulus.local"
    echo "KUMULUS_BOOTSTRAP_PASSWORD=Km-$(head -c 12 /dev/urandom | base64 | tr -d '/+=')-1"
    echo "KUMULUS_BOOTSTRAP_TOKEN=kmt_$(head -c 24 /dev/urandom | base64 | tr -d '/+=')"
  } > "$CREDS")
fi
set -a; source "$CREDS"; set +a

if [ -d /run/systemd/system ]; then
  cat > /etc/systemd/system/kumulus.service <<UNIT
[Unit]
Description=Kumulus self-hosted cloud
After=network-online.target

[Service]
EnvironmentFile=$CREDS
ExecStart=$KUMULUS_ROOT/bin/kumulus serve --data-dir $DATA_DIR --listen $LISTEN
KillSignal=SIGTERM
TimeoutStopSec=60
Restart=on-failure

[Install]
WantedBy=multi-user.target
UNIT
  systemctl daemon-reload
  systemctl enable --now kumulus.service >/dev/null
  systemctl restart kumulus.service
else
  # No systemd (a container or a minimal VM): run it detached, logging to the data dir.
  if [ -f "$DATA_DIR/kumulus.pid" ] && kill -0 "$(cat "$DATA_DIR/kumulus.pid")" 2>/dev/null; then
    kill -TERM "$(cat "$DATA_DIR/kumulus.pid")"; sleep 2
  fi
  setsid nohup "$KUMULUS_ROOT/bin/kumulus" serve --data-dir "$DATA_DIR" --listen "$LISTEN" >> "$DATA_DIR/kumulus.log" 2>&1 < /dev/null &
fi

URL="http://$LISTEN"
for _ in $(seq 1 60); do curl -fs "$URL/healthz" >/dev/null 2>&1 && break; sleep 0.5; done
curl -fs "$URL/healthz" >/dev/null || { echo "Kumulus did not come up; see $DATA_DIR/kumulus.log or journalctl -u kumulus" >&2; exit 1; }

cat <<DONE

Kumulus is running (embedded mode: SQLite + local LXC engine).

  Dashboard and API:  $URL/   (API under $URL/api/v1, OpenAPI at $URL/api/v1/openapi.json)
  Sign in:            $KUMULUS_BOOTSTRAP_EMAIL  /  $KUMULUS_BOOTSTRAP_PASSWORD
  API token:          $KUMULUS_BOOTSTRAP_TOKEN
  CLI:                kumulus login --url $URL --token $KUMULUS_BOOTSTRAP_TOKEN
                      kumulus server create --name web1 --plan nano --image tiny

The credentials are kept in $CREDS (root only). The Debian image is built in the
background on first start; the tiny image is ready in seconds.
DONE
