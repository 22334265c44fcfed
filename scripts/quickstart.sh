#!/usr/bin/env bash
# Installs everything Kumulus needs on this Debian host and starts it with the embedded
# default (SQLite store, local LXC engine), then prints the dashboard URL (HTTPS, for the LAN),
# its certificate's fingerprint and how to sign in.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$KUMULUS_ROOT"

DATA_DIR="${KUMULUS_DATA_DIR:-/var/lib/kumulus}"
# Plain HTTP for the CLI and scripts on this host; HTTPS on every address for everyone else.
LISTEN="${KUMULUS_LISTEN:-127.0.0.1:8080}"
TLS_LISTEN="${KUMULUS_TLS_LISTEN:-:8443}"

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
ExecStart=$KUMULUS_ROOT/bin/kumulus serve --data-dir $DATA_DIR --listen $LISTEN --tls-listen $TLS_LISTEN
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
  setsid nohup "$KUMULUS_ROOT/bin/kumulus" serve --data-dir "$DATA_DIR" --listen "$LISTEN" --tls-listen "$TLS_LISTEN" >> "$DATA_DIR/kumulus.log" 2>&1 < /dev/null &
fi

URL="http://$LISTEN"
for _ in $(seq 1 60); do curl -fs "$URL/healthz" >/dev/null 2>&1 && break; sleep 0.5; done
curl -fs "$URL/healthz" >/dev/null || { echo "Kumulus did not come up; see $DATA_DIR/kumulus.log or journalctl -u kumulus" >&2; exit 1; }

# serve made (or kept) the certificate before it answered; the fingerprint is what a browser and
# `kumulus login` show for it, so a user can tell that it is this host that answers.
CERT="$DATA_DIR/tls/cert.pem"
FINGERPRINT="$(openssl x509 -in "$CERT" -noout -fingerprint -sha256 | sed 's/^.*=//')"
TRUST="self-signed: the browser warns once; check that it shows this fingerprint"
[ "$(openssl x509 -in "$CERT" -noout -issuer | sed 's/^issuer=//')" = "$(openssl x509 -in "$CERT" -noout -subject | sed 's/^subject=//')" ] || TRUST="your own certificate ($CERT)"
TLS_PORT="${TLS_LISTEN##*:}"
TLS_HOST="${TLS_LISTEN%:*}"
if [ -z "$TLS_HOST" ] || [ "$TLS_HOST" = "*" ] || [ "$TLS_HOST" = "0.0.0.0" ] || [ "$TLS_HOST" = "[::]" ]; then
  # The address the default route leaves through is the one others on the LAN reach (a route
  # lookup sends nothing); else the first address that is not loopback.
  TLS_HOST="$(ip -o -4 route get 192.0.2.1 2>/dev/null | sed -n 's/.* src \([0-9.]*\).*/\1/p')"
  [ -n "$TLS_HOST" ] || TLS_HOST="$(hostname -I | awk '{print $1}')"
fi
LAN_URL="https://$TLS_HOST:$TLS_PORT"

cat <<DONE

Kumulus is running (embedded mode: SQLite + local LXC engine).

  Dashboard and API:  $LAN_URL/   (from any machine that reaches this host)
  On this host:       $URL/   (plain HTTP, loopback only; OpenAPI at $URL/api/v1/openapi.json)
  TLS certificate:    SHA-256 fingerprint $FINGERPRINT
                      ($TRUST)
  Sign in:            $KUMULUS_BOOTSTRAP_EMAIL  /  $KUMULUS_BOOTSTRAP_PASSWORD
  API token:          $KUMULUS_BOOTSTRAP_TOKEN
  CLI on this host:   kumulus login --url $URL --token $KUMULUS_BOOTSTRAP_TOKEN
                      kumulus server create --name web1 --plan nano --image tiny
  CLI elsewhere:      kumulus login --url $LAN_URL --fingerprint $FINGERPRINT

The credentials are kept in $CREDS (root only). The Debian image is built in the
background on first start; the tiny image is ready in seconds. To serve your own certificate,
put cert.pem (with its chain) and key.pem into $DATA_DIR/tls/ and restart Kumulus.
DONE
