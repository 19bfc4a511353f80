#!/usr/bin/env bash
# Times a first run as a new user has it: a fresh clone, empty Go module,
# Go build and npm caches, then `make run` to its first serving line, or
# `make test` to its end. It prints wall time, CPU seconds (user+sys of
# every process make started; for run, of the server's build) and the load average before and after, since
# other work on the machine slows a cold build down.
#
#   scripts/cold-run.sh run    # make run until it serves, then stops it
#   scripts/cold-run.sh test   # make test
#
# The tests read the conformance corpus from ../shared: SHARED names it
# (default: the shared folder beside this checkout). KEEP=1 keeps the
# scratch folder.
set -euo pipefail
target=${1:?usage: cold-run.sh run|test}
src=$(cd "$(dirname "$0")/.." && pwd)
shared=${SHARED:-$(cd "$src/.." && pwd)/shared}

scratch=$(mktemp -d /tmp/cio-cold.XXXXXX)
if [[ -z "${KEEP:-}" ]]; then
	# The module cache is read-only: make it writable before removing it.
	trap 'chmod -R u+w "$scratch" 2>/dev/null; rm -rf "$scratch"' EXIT
fi
git clone --quiet "$src" "$scratch/cio-transformer"
if [[ -d "$shared" ]]; then
	ln -s "$shared" "$scratch/shared"
fi
mkdir -p "$scratch/gomodcache" "$scratch/gocache" "$scratch/npmcache"
export GOMODCACHE=$scratch/gomodcache GOCACHE=$scratch/gocache npm_config_cache=$scratch/npmcache
cd "$scratch/cio-transformer"

echo "cold-run: $target in $scratch, load average $(cut -d' ' -f1-3 /proc/loadavg)"
log=$scratch/make.log
start=$(date +%s.%N)
case $target in
run)
	# The build make run starts with, timed on its own: what follows it
	# (grpcurl, built in the background once serving) is not counted.
	/usr/bin/time -v -o "$scratch/time.txt" make bin/cio-transformer >"$log" 2>&1
	setsid make run LISTEN=127.0.0.1:0 HTTP_LISTEN=127.0.0.1:0 >>"$log" 2>&1 &
	pid=$!
	until grep -q '"serving"\|msg=serving' "$log"; do
		if ! kill -0 "$pid" 2>/dev/null; then
			cat "$log"
			echo "cold-run: make run ended before serving" >&2
			exit 1
		fi
		sleep 0.2
	done
	served=$(date +%s.%N)
	echo "cold-run: serving after $(echo "$served - $start" | bc) s, load average $(cut -d' ' -f1-3 /proc/loadavg)"
	# make run stops the server gracefully on TERM (an interrupt is
	# ignored by a background job of a script).
	kill -TERM -- "-$pid"
	wait "$pid" || true
	;;
test)
	status=0
	/usr/bin/time -v -o "$scratch/time.txt" make test >"$log" 2>&1 || status=$?
	end=$(date +%s.%N)
	grep -E '^(ok|FAIL|---|>>)' "$log" || true
	echo "cold-run: make test exit $status after $(echo "$end - $start" | bc) s, load average $(cut -d' ' -f1-3 /proc/loadavg)"
	if [[ $status -ne 0 ]]; then
		tail -50 "$log"
	fi
	;;
*)
	echo "usage: cold-run.sh run|test" >&2
	exit 2
	;;
esac
grep -E 'Elapsed|User time|System time|Maximum resident' "$scratch/time.txt"
echo "cold-run: build cache $(du -sh "$GOCACHE" | cut -f1), module cache $(du -sh "$GOMODCACHE" | cut -f1)"
