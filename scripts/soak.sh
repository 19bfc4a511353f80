#!/usr/bin/env bash
# Soak: a bounded load run against the real binary on loopback. Unary
# Transform calls and pipelining TransformBatch streams run side by side for
# SOAK_DURATION; the run fails on any failed call or when the server's
# resident memory grows.
#
# Usage: scripts/soak.sh   (make soak sets GHZ and SOAK_DURATION)
#   GHZ            the ghz binary (make soak installs the pinned version)
#   SOAK_DURATION  load duration, default 60s
#   SOAK_RSS_GROWTH  allowed growth of RSS from warm-up to end, percent (default 25)
set -euo pipefail

cd "$(dirname "$0")/.."
GHZ=${GHZ:?set GHZ to the ghz binary}
DURATION=${SOAK_DURATION:-60s}
GROWTH=${SOAK_RSS_GROWTH:-25}
secs=${DURATION%s}

work=$(mktemp -d)
pid=""
cleanup() {
	if [[ -n $pid ]] && kill -0 "$pid" 2>/dev/null; then kill "$pid"; wait "$pid" 2>/dev/null || true; fi
	rm -rf "$work"
}
trap cleanup EXIT

go build -o "$work/cio-transformer" ./cmd/cio-transformer

"$work/cio-transformer" serve --listen 127.0.0.1:0 2>"$work/server.log" &
pid=$!
addr=""
for _ in $(seq 100); do
	addr=$(jq -r 'select(.msg == "serving") | .addr' "$work/server.log" 2>/dev/null | head -1)
	[[ -n $addr ]] && break
	sleep 0.1
done
[[ -n $addr ]] || { echo "soak: the server did not start"; cat "$work/server.log"; exit 1; }

rss() { awk '/^VmRSS:/ {print $2}' "/proc/$pid/status"; }

b64() { printf '%s' "$1" | base64 -w0; }
dest='{"site_id":"site-1","api_key":"key-1"}'

# Unary: a raw identify event, a different user on every call.
cat >"$work/unary.json" <<EOF
{"destination": $dest, "job": {"job_id": 1, "raw_event": "$(b64 '{"type":"identify","userId":"soak-user","traits":{"email":"soak@example.com","plan":"pro","logins":12}}')"}}
EOF

# Streaming: each call pipelines 10 request messages of 100 mixed jobs
# (identify, track, page, group, alias, raw and typed, some invalid).
{
	printf '['
	for r in $(seq 1 10); do
		[[ $r -gt 1 ]] && printf ','
		printf '{"request_id": %d, "destination": %s, "jobs": [' "$r" "$dest"
		for j in $(seq 0 99); do
			[[ $j -gt 0 ]] && printf ','
			u="u$((j % 17))"
			case $((j % 8)) in
			0) ev="{\"type\":\"identify\",\"userId\":\"$u\",\"traits\":{\"email\":\"$u@example.com\",\"n\":$j}}" ;;
			1) ev="{\"type\":\"track\",\"userId\":\"$u\",\"event\":\"Order Completed\",\"properties\":{\"total\":$j.5}}" ;;
			2) ev="{\"type\":\"page\",\"userId\":\"$u\",\"name\":\"Home\",\"properties\":{\"url\":\"https://example.com/$j\"}}" ;;
			3) ev="{\"type\":\"group\",\"userId\":\"$u\",\"groupId\":\"g$((j % 5))\",\"traits\":{\"name\":\"Acme $j\"}}" ;;
			4) ev="{\"type\":\"alias\",\"userId\":\"$u\",\"previousId\":\"old-$u\"}" ;;
			5) ev="{\"type\":\"track\",\"userId\":\"$u\"}" ;;
			6) ev="{\"type\":\"identify\"" ;;
			7) ev="" ;;
			esac
			if [[ -z $ev ]]; then
				printf '{"job_id": %d, "event": {"type": "screen", "user_id": "%s", "event": "Main", "properties": {"n": %d}}}' "$j" "$u" "$j"
			else
				printf '{"job_id": %d, "raw_event": "%s"}' "$j" "$(b64 "$ev")"
			fi
		done
		printf ']}'
	done
	printf ']'
} >"$work/stream.json"

rss_idle=$(rss)
echo "soak: server pid $pid on $addr, RSS idle ${rss_idle} kB; load for $DURATION"

"$GHZ" --insecure --call ciotransformer.v1.TransformerService.Transform -D "$work/unary.json" \
	-z "$DURATION" --duration-stop wait -c 16 --connections 2 -O json -o "$work/unary.out" "$addr" &
unary=$!
"$GHZ" --insecure --call ciotransformer.v1.TransformerService.TransformBatch -D "$work/stream.json" \
	-z "$DURATION" --duration-stop wait -c 4 --connections 2 -O json -o "$work/stream.out" "$addr" &
stream=$!

samples=()
for ((t = 5; t <= secs; t += 5)); do
	sleep 5
	samples+=("$t:$(rss)")
done
wait "$unary" "$stream"
sleep 1
rss_end=$(rss)
echo "soak: RSS samples (s:kB): ${samples[*]} end:$rss_end"

fail=0
report() {
	local name=$1 out=$2
	local count ok errs rps
	count=$(jq '.count' "$out")
	ok=$(jq '.statusCodeDistribution.OK // 0' "$out")
	errs=$(jq '[.errorDistribution // {} | to_entries[].value] | add // 0' "$out")
	rps=$(jq '.rps | floor' "$out")
	echo "soak: $name: $count calls, $ok OK, $errs errors, $rps calls/s, average $(jq '.average / 1e6' "$out") ms, p99 $(jq '[.latencyDistribution[] | select(.percentage == 99) | .latency][0] / 1e6' "$out") ms"
	if [[ $errs -ne 0 || $ok -ne $count || $count -eq 0 ]]; then
		echo "soak: $name: FAILED calls: $(jq -c '.statusCodeDistribution, .errorDistribution' "$out")"
		fail=1
	fi
}
report "unary Transform" "$work/unary.out"
report "stream TransformBatch" "$work/stream.out"

# Warm-up ends after 10 s; from then on RSS must stay within GROWTH percent.
rss_warm=0
for s in "${samples[@]}"; do
	t=${s%%:*} v=${s##*:}
	if ((t == 10)); then rss_warm=$v; fi
done
((rss_warm > 0)) || rss_warm=${samples[0]##*:}
echo "soak: RSS start (after warm-up) ${rss_warm} kB, end ${rss_end} kB"
if ((rss_end * 100 > rss_warm * (100 + GROWTH))); then
	echo "soak: FAILED: RSS grew more than ${GROWTH}%"
	fail=1
fi
logged=$(grep -c '"msg":"finished call"' "$work/server.log" || true)
echo "soak: server logged $logged finished calls"
kill -TERM "$pid"
wait "$pid" || { echo "soak: FAILED: the server exited with an error"; fail=1; }
pid=""
if [[ $fail -ne 0 ]]; then
	tail -5 "$work/server.log"
	exit 1
fi
echo "soak: PASS"
