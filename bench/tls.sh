#!/usr/bin/env bash
# bench/tls.sh: hornet's TLS (async and gthread) against nginx, with the same
# certificate, in one run: ECDSA P-256 and RSA 2048.
#
#   keep-alive   wrk over https (-c CONNS): requests/s and the server's CPU
#                per request (µs, from /proc: arbiter + workers)
#   full         new TLS connections per second, each a full handshake
#                (openssl s_time -new, TLS 1.3), and the server's CPU per
#                handshake
#   resumed      the same with session resumption (s_time -reuse; TLS 1.2,
#                since s_time does not resume TLS 1.3 sessions: test_tls.py
#                checks 1.3 resumption with s_client -sess_in)
#   h2load       the same two with h2load --h1 (HTTP/1.1, a request with
#                Connection: close per connection; h2load negotiates TLS
#                1.2 here). full: H2_CONNS clients at once, one connection
#                each (h2load resumes a session only when a client
#                reconnects, so none does); resumed: 20 clients reconnecting
#                until H2_RESUMED connections are done, every one after a
#                client's first resuming by session ticket. Connections/s
#                and the server's CPU per connection, as above.
#
# Every server has 2 worker processes (gthread 4 threads each). Rounds are
# interleaved (hornet async, hornet gthread, nginx, again) and each figure
# is the median of ROUNDS; the ratio lines compare each hornet to nginx.
# Targets (issue 19): keep-alive CPU/request <= 1.1x nginx; handshakes/s
# >= 0.9x nginx. The load average is printed with the numbers: this machine
# is shared, so read the ratios, not the absolute figures.
#
# Env: HORNET (build/bin/hornet), DURATION (5s), CONNS (50), ROUNDS (3),
# HS_TIME (4, seconds per s_time run), H2_CONNS (1000), H2_RESUMED (4000),
# KEEP (a dir to keep logs in).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
HORNET=${HORNET:-$here/../build/bin/hornet}
WRK=${WRK:-wrk}
DURATION=${DURATION:-5s}
CONNS=${CONNS:-50}
ROUNDS=${ROUNDS:-3}
HS_TIME=${HS_TIME:-4}
H2_CONNS=${H2_CONNS:-1000}
H2_RESUMED=${H2_RESUMED:-4000}
KEEP=${KEEP:-}
# shellcheck source=bench/lib.sh
source "$here/lib.sh"
bench_init
command -v nginx >/dev/null || die "nginx not found (scripts/dev bench installs nginx-light)"
command -v openssl >/dev/null || die "openssl not found"
command -v h2load >/dev/null || die "h2load not found (apt-get install nghttp2-client)"
[[ -x $HORNET ]] || die "no hornet at $HORNET: build first"
hz=$(getconf CLK_TCK)

make_certs() {  # KIND: ecdsa or rsa, into $tmp/KIND.{pem,key}
  local kind=$1 key=(-newkey ec -pkeyopt ec_paramgen_curve:P-256)
  [[ $kind == rsa ]] && key=(-newkey rsa:2048)
  openssl req -x509 "${key[@]}" -nodes -keyout "$tmp/$kind.key" -out "$tmp/$kind.pem" \
    -subj /CN=localhost -addext subjectAltName=DNS:localhost,IP:127.0.0.1 -days 2 2>/dev/null
}

# start_tls NAME CMD...: start a server on $port (chosen here) and wait until
# it answers over TLS; sets $pid.
start_tls() {
  local name=$1 deadline
  shift
  "$@" >"$tmp/$name.out" 2>"$tmp/$name.log" </dev/null &
  pid=$!
  started+=("$pid")
  deadline=$((SECONDS + 30))
  until curl -sk -o /dev/null "https://127.0.0.1:$port/"; do
    alive "$pid" || { cat "$tmp/$name.log" >&2; die "$name exited while starting"; }
    ((SECONDS < deadline)) || die "$name not ready in 30 s"
    sleep 0.2
  done
}

nginx_conf() {  # KIND PORT
  mkdir -p "$tmp/nginx"
  sed -e "s|@PREFIX@|$tmp/nginx|g" -e "s|listen 127.0.0.1:@PORT@;|listen 127.0.0.1:$2 ssl backlog=2048;\n        ssl_certificate $tmp/$1.pem;\n        ssl_certificate_key $tmp/$1.key;\n        ssl_protocols TLSv1.2 TLSv1.3;\n        ssl_session_tickets on;\n        ssl_session_cache off;|" \
    "$here/nginx.conf.in" >"$tmp/nginx/nginx.conf"
}

serve() {  # SERVER KIND: start it on a fresh port
  local server=$1 kind=$2
  port=$(free_port)
  case $server in
    async) start_tls async "$HORNET" hello -k async -w 2 -b "127.0.0.1:$port" --certfile "$tmp/$kind.pem" \
             --keyfile "$tmp/$kind.key" --keep-alive 30s ;;
    gthread) start_tls gthread "$HORNET" hello -k gthread -w 2 --threads 4 -b "127.0.0.1:$port" \
               --certfile "$tmp/$kind.pem" --keyfile "$tmp/$kind.key" --keep-alive 30s ;;
    nginx) nginx_conf "$kind" "$port"
           start_tls nginx nginx -p "$tmp/nginx/" -c "$tmp/nginx/nginx.conf" -g 'daemon off;' ;;
  esac
}

# keepalive: "requests/s cpu_us_per_request"
keepalive() {
  local before after out rps total
  before=$(cpu_ticks "$pid")
  out=$("$WRK" -t2 -c"$CONNS" -d"$DURATION" "https://127.0.0.1:$port/")
  after=$(cpu_ticks "$pid")
  rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
  total=$(awk '/requests in/ {print $1}' <<<"$out")
  awk -v r="$rps" -v n="$total" -v t=$((after - before)) -v hz="$hz" \
    'BEGIN {printf "%.0f %.1f\n", r, n ? t / hz * 1e6 / n : 0}'
}

# handshakes MODE: "connections/s cpu_us_per_connection" (MODE -new or "-reuse -tls1_2")
handshakes() {
  local before after out n
  before=$(cpu_ticks "$pid")
  # shellcheck disable=SC2086
  out=$(openssl s_time -connect "127.0.0.1:$port" $1 -time "$HS_TIME" 2>&1)
  after=$(cpu_ticks "$pid")
  n=$(awk '/connections in [0-9]+ real seconds/ {print $1}' <<<"$out" | tail -1)
  awk -v n="${n:-0}" -v s="$HS_TIME" -v t=$((after - before)) -v hz="$hz" \
    'BEGIN {printf "%.0f %.1f\n", n / s, n ? t / hz * 1e6 / n : 0}'
}

# h2load_conns CLIENTS CONNECTIONS: "connections/s cpu_us_per_connection",
# one request (Connection: close) per connection; see the file comment.
h2load_conns() {
  local before after out n rate
  before=$(cpu_ticks "$pid")
  out=$(h2load --h1 -t1 -c"$1" -n"$2" -H 'Connection: close' "https://127.0.0.1:$port/" 2>&1)
  after=$(cpu_ticks "$pid")
  n=$(awk '/^requests:/ {print $8}' <<<"$out")
  rate=$(awk '/^finished in/ {print $4}' <<<"$out") # req/s: one request per connection
  awk -v n="${n:-0}" -v r="${rate:-0}" -v t=$((after - before)) -v hz="$hz" \
    'BEGIN {printf "%.0f %.1f\n", r, n ? t / hz * 1e6 / n : 0}'
}

median() { sort -n | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}'; }

declare -A result
for kind in ecdsa rsa; do
  make_certs "$kind"
  for ((round = 1; round <= ROUNDS; round++)); do
    for server in async gthread nginx; do
      serve "$server" "$kind"
      read -r r c <<<"$(keepalive)"
      result[$kind.$server.ka_rps]+="$r "; result[$kind.$server.ka_cpu]+="$c "
      read -r r c <<<"$(handshakes -new)"
      result[$kind.$server.full]+="$r "; result[$kind.$server.full_cpu]+="$c "
      read -r r c <<<"$(handshakes "-reuse -tls1_2")"
      result[$kind.$server.resumed]+="$r "; result[$kind.$server.resumed_cpu]+="$c "
      read -r r c <<<"$(h2load_conns "$H2_CONNS" "$H2_CONNS")"
      result[$kind.$server.h2full]+="$r "; result[$kind.$server.h2full_cpu]+="$c "
      read -r r c <<<"$(h2load_conns 20 "$H2_RESUMED")"
      result[$kind.$server.h2resumed]+="$r "; result[$kind.$server.h2resumed_cpu]+="$c "
      stop_pid "$pid"
    done
  done
done

med() { tr ' ' '\n' <<<"${result[$1]}" | grep . | median; }

echo "# bench/tls.sh: $(date -u +%FT%TZ), load average $(cut -d' ' -f1-3 /proc/loadavg), $(nproc) CPUs," \
     "median of $ROUNDS interleaved rounds, wrk -c$CONNS -d$DURATION, s_time ${HS_TIME}s," \
     "h2load --h1 -c$H2_CONNS -n$H2_CONNS (full), -c20 -n$H2_RESUMED (resumed)"
printf '%-6s %-8s %12s %10s %10s %12s %10s %12s\n' cert server "keepalive/s" "µs/req" "full/s" "µs/full" \
       "resumed/s" "µs/resumed"
for kind in ecdsa rsa; do
  for server in async gthread nginx; do
    printf '%-6s %-8s %12s %10s %10s %12s %10s %12s\n' "$kind" "$server" \
      "$(med "$kind.$server.ka_rps")" "$(med "$kind.$server.ka_cpu")" "$(med "$kind.$server.full")" \
      "$(med "$kind.$server.full_cpu")" "$(med "$kind.$server.resumed")" "$(med "$kind.$server.resumed_cpu")"
  done
done
printf '%-6s %-8s %12s %10s %12s %12s\n' cert server "h2load full/s" "µs/full" "h2load res/s" "µs/resumed"
for kind in ecdsa rsa; do
  for server in async gthread nginx; do
    printf '%-6s %-8s %12s %10s %12s %12s\n' "$kind" "$server" \
      "$(med "$kind.$server.h2full")" "$(med "$kind.$server.h2full_cpu")" \
      "$(med "$kind.$server.h2resumed")" "$(med "$kind.$server.h2resumed_cpu")"
  done
done
echo "# ratios to nginx (targets: keep-alive CPU/request <= 1.10, handshakes/s >= 0.90)"
for kind in ecdsa rsa; do
  for server in async gthread; do
    awk -v k="$kind" -v s="$server" \
        -v a="$(med "$kind.$server.ka_cpu")" -v b="$(med "$kind.nginx.ka_cpu")" \
        -v f="$(med "$kind.$server.full")" -v g="$(med "$kind.nginx.full")" \
        -v r="$(med "$kind.$server.resumed")" -v q="$(med "$kind.nginx.resumed")" \
        -v h="$(med "$kind.$server.h2full")" -v i="$(med "$kind.nginx.h2full")" \
        -v j="$(med "$kind.$server.h2resumed")" -v l="$(med "$kind.nginx.h2resumed")" \
        'BEGIN {printf "%-6s %-8s keep-alive CPU/request %.2fx   full handshakes/s %.2fx   resumed/s %.2fx" \
                       "   h2load full/s %.2fx   h2load resumed/s %.2fx\n",
                k, s, b ? a / b : 0, g ? f / g : 0, q ? r / q : 0, i ? h / i : 0, l ? j / l : 0}'
  done
done
