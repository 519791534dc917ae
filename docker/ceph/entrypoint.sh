#!/usr/bin/env bash
# A single-node Ceph cluster with the S3 gateway in one container, for the `ceph` profile of docker-compose.yml:
# what scripts/ceph/cluster.mjs does on a developer's machine, in bash, with the same ceph.conf (its settings and
# the reason for each are in scripts/ceph/config.mjs; a test compares the two files line by line). One monitor,
# one manager, one OSD on memstore (RAM: nothing survives the container) and radosgw; then one S3 user and one
# bucket, and the file $CEPH_DIR/ready, which the compose health check waits for.
#
#   entrypoint.sh              start, and run until a daemon exits or the container is stopped
#   entrypoint.sh --print-conf print the ceph.conf it would use, start nothing
#
# Settings (environment; the defaults are the container's):
#   CEPH_ACCESS_KEY, CEPH_SECRET_KEY  the S3 user's keys (required to start)
#   CEPH_UID                          the S3 user (default strata)
#   CEPH_BUCKET                       a bucket to create for the user (default none)
#   CEPH_DIR                          the cluster's directory (default /var/lib/strata-ceph)
#   CEPH_RGW_HOST, CEPH_RGW_PORT      where the gateway listens (default 0.0.0.0:7480: other containers reach it)
#   CEPH_MON_PORT                     the monitor (default 3300); the daemons bind on 127.0.0.1 only
#   CEPH_BIND_MIN, CEPH_BIND_MAX      the messenger ports of mgr, osd and radosgw (default 6800-6821)
#   CEPH_TIMEOUT                      seconds the whole start-up may take (default 60)
# Stopping (SIGTERM, SIGINT): the daemons one after the other, gateway first and monitor last, as cluster.mjs does.
set -euo pipefail

CEPH_DIR=${CEPH_DIR:-/var/lib/strata-ceph}
CEPH_UID=${CEPH_UID:-strata}
CEPH_BUCKET=${CEPH_BUCKET:-}
CEPH_RGW_HOST=${CEPH_RGW_HOST:-0.0.0.0}
CEPH_RGW_PORT=${CEPH_RGW_PORT:-7480}
CEPH_MON_PORT=${CEPH_MON_PORT:-3300}
CEPH_BIND_MIN=${CEPH_BIND_MIN:-6800}
CEPH_BIND_MAX=${CEPH_BIND_MAX:-6821}
CEPH_TIMEOUT=${CEPH_TIMEOUT:-60}
CEPH_FSID=${CEPH_FSID:-$(cat /proc/sys/kernel/random/uuid)}
CONF="$CEPH_DIR/ceph.conf"

# The same sections, keys and values as renderCephConf in scripts/ceph/config.mjs, except where the gateway
# listens: all interfaces of the container instead of 127.0.0.1.
render_conf() {
  cat <<EOF
[global]
fsid = $CEPH_FSID
mon host = v2:127.0.0.1:$CEPH_MON_PORT
auth cluster required = none
auth service required = none
auth client required = none
osd pool default size = 1
osd pool default min size = 1
osd crush chooseleaf type = 0
osd pool default pg num = 8
osd pool default pgp num = 8
osd pool default pg autoscale mode = off
run dir = $CEPH_DIR/run
log file = $CEPH_DIR/log/\$name.log
keyring = $CEPH_DIR/keyring
ms bind port min = $CEPH_BIND_MIN
ms bind port max = $CEPH_BIND_MAX
ms bind msgr1 = false
public addr = 127.0.0.1
cluster addr = 127.0.0.1
mon allow pool delete = true
mon data avail crit = 0
mon data avail warn = 1
mon warn on pool no redundancy = false
mon warn on insecure global id reclaim allowed = false
paxos propose interval = 0.05
[mon.a]
mon data = $CEPH_DIR/mon
mon cluster log file = $CEPH_DIR/log/mon-cluster.log
public addr = v2:127.0.0.1:$CEPH_MON_PORT
[mgr.x]
mgr data = $CEPH_DIR/mgr
[osd.0]
osd data = $CEPH_DIR/osd
osd objectstore = memstore
memstore device bytes = 4294967296
[client.rgw.r]
rgw frontends = beast endpoint=$CEPH_RGW_HOST:$CEPH_RGW_PORT tcp_nodelay=1
rgw data = $CEPH_DIR/rgw
rgw dns name = 127.0.0.1
ms mon client mode = crc
EOF
}

if [[ "${1:-}" == "--print-conf" ]]; then
  render_conf
  exit 0
fi

: "${CEPH_ACCESS_KEY:?set CEPH_ACCESS_KEY (the S3 user's access key)}"
: "${CEPH_SECRET_KEY:?set CEPH_SECRET_KEY (the S3 user's secret key)}"
deadline=$((SECONDS + CEPH_TIMEOUT))
left() { local s=$((deadline - SECONDS)); echo $((s > 0 ? s : 1)); }
log() { echo "strata-ceph: $*" >&2; }

rm -f "$CEPH_DIR/ready"
mkdir -p "$CEPH_DIR"/{run,log,mon,mgr,osd,rgw}
render_conf >"$CONF"

# Daemons in start order (name and pid); stopped in reverse.
names=()
pids=()
start() {
  local name=$1
  shift
  "$@" -c "$CONF" -f >>"$CEPH_DIR/log/$name.out" 2>&1 &
  names+=("$name")
  pids+=("$!")
}

# One daemon after the other, gateway first: each talks to the ones started before it. SIGKILL after 2 s
# (memstore keeps nothing, so a kill loses nothing that matters).
stop_all() {
  local i pid n
  for ((i = ${#pids[@]} - 1; i >= 0; i--)); do
    pid=${pids[i]}
    kill -TERM "$pid" 2>/dev/null || continue
    for ((n = 0; n < 100; n++)); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.02
    done
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  rm -f "$CEPH_DIR/ready"
}
trap 'log "stopping"; stop_all; exit 0' TERM INT
trap 'code=$?; if ((code != 0)); then log "failed (exit $code); last log lines:"; tail -n 20 "$CEPH_DIR"/log/*.log >&2 || true; stop_all; fi' EXIT

timeout "$(left)" ceph-mon -c "$CONF" -i a --mkfs --keyring /dev/null
start mon.a ceph-mon -i a
start mgr.x ceph-mgr -i x
osd_uuid=$(cat /proc/sys/kernel/random/uuid)
osd_id=$(timeout "$(left)" ceph -c "$CONF" --connect-timeout "$(left)" osd new "$osd_uuid")
[[ "$osd_id" == 0 ]] || { log "expected the first OSD to get id 0, got '$osd_id'"; exit 1; }
timeout "$(left)" ceph-osd -c "$CONF" -i 0 --mkfs --osd-uuid "$osd_uuid"
start osd.0 ceph-osd -i 0
start client.rgw.r radosgw -n client.rgw.r

# The S3 calls below (any answer from the gateway; CreateBucket signed with Signature V2, which RGW accepts as S3
# did: HMAC-SHA1 of "PUT\n\n\n<date>\n/<bucket>") use python3, which the Ceph image ships for the manager.
s3() {
  python3 - "$@" <<'PY'
import base64, email.utils, hashlib, hmac, os, sys, urllib.error, urllib.request
action, endpoint = sys.argv[1], sys.argv[2]
if action == 'ping':
    try:
        urllib.request.urlopen(endpoint, timeout=2).read()
    except urllib.error.HTTPError:
        pass
    sys.exit(0)
bucket = sys.argv[3]
date = email.utils.formatdate(usegmt=True)
sig = base64.b64encode(hmac.new(os.environ['CEPH_SECRET_KEY'].encode(), f'PUT\n\n\n{date}\n/{bucket}'.encode(), hashlib.sha1).digest()).decode()
req = urllib.request.Request(f'{endpoint}/{bucket}', method='PUT', headers={'Date': date, 'Authorization': f'AWS {os.environ["CEPH_ACCESS_KEY"]}:{sig}'})
try:
    urllib.request.urlopen(req, timeout=10).read()
except urllib.error.HTTPError as e:
    sys.exit(f'CreateBucket {bucket}: HTTP {e.code} {e.read().decode(errors="replace")}')
PY
}

endpoint="http://127.0.0.1:$CEPH_RGW_PORT"
until s3 ping "$endpoint" 2>/dev/null; do
  for i in "${!pids[@]}"; do
    kill -0 "${pids[i]}" 2>/dev/null || { log "${names[i]} exited before the gateway answered"; exit 1; }
  done
  ((SECONDS < deadline)) || { log "the gateway at $endpoint did not answer within ${CEPH_TIMEOUT} s"; exit 1; }
  sleep 0.2
done

# Each user may own 100000 buckets, as in cluster.mjs: the crash suites make many.
timeout "$(left)" radosgw-admin -c "$CONF" user create --uid "$CEPH_UID" --display-name "$CEPH_UID" \
  --access-key "$CEPH_ACCESS_KEY" --secret-key "$CEPH_SECRET_KEY" --max-buckets 100000 >/dev/null
[[ -z "$CEPH_BUCKET" ]] || s3 create-bucket "$endpoint" "$CEPH_BUCKET"
touch "$CEPH_DIR/ready"
log "gateway $CEPH_RGW_HOST:$CEPH_RGW_PORT up in ${SECONDS} s (user $CEPH_UID${CEPH_BUCKET:+, bucket $CEPH_BUCKET})"

# Run until a daemon exits (then stop the others and fail, so the container's restart policy sees it) or a
# signal stops them all (the trap above). The daemons are this shell's only children, so any job is one of them
# (`wait -n` with a list of pids needs bash 5.1; the Ceph image has 4.4).
set +e
wait -n
code=$?
log "a daemon exited (code $code); stopping the others"
stop_all
trap - EXIT
exit 1
