#!/usr/bin/env bash
# Before and after: the mapping benchmarks of an earlier revision and of the
# working tree, run alternately on one core in the same run, so that both
# see the same machine, then compared with benchstat.
#
# Usage: scripts/bench-before-after.sh   (make bench sets the variables)
#   BENCHBASE   the earlier revision (a commit of this repository)
#   BENCHCOUNT  runs of each side, default 6
#   BENCH       the benchmarks (a go test -bench pattern)
#   OUT         directory for before.txt, after.txt and beforeafter.txt
#   BENCHSTAT   the benchstat command
set -euo pipefail

cd "$(dirname "$0")/.."
BASE=${BENCHBASE:?set BENCHBASE to a revision}
COUNT=${BENCHCOUNT:-6}
BENCH=${BENCH:?set BENCH to a benchmark pattern}
OUT=${OUT:?set OUT to a directory}
BENCHSTAT=${BENCHSTAT:?set BENCHSTAT to the benchstat command}

mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
src="$OUT/base-src"
rm -rf "$src"
mkdir -p "$src"
git archive "$BASE" | tar -x -C "$src"
(cd "$src" && go test -c -o "$OUT/before.test" ./transform)
go test -c -o "$OUT/after.test" ./transform

run() { # run BINARY PACKAGE_DIR
	(cd "$2" && GOMAXPROCS=1 "$1" -test.run '^$' -test.bench "$BENCH" -test.benchmem -test.count 1)
}
: >"$OUT/before.txt"
: >"$OUT/after.txt"
for i in $(seq "$COUNT"); do
	echo ">> run $i of $COUNT: before ($BASE), then after"
	run "$OUT/before.test" "$src/transform" >>"$OUT/before.txt"
	run "$OUT/after.test" transform >>"$OUT/after.txt"
done
rm -rf "$src"
(cd "$OUT" && $BENCHSTAT before.txt after.txt) | tee "$OUT/beforeafter.txt"
