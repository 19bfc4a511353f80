#!/usr/bin/env bash
# Runs the Dockerfile's go build line, as its build stage runs it, for
# linux/amd64 and linux/arm64, and checks that each binary is a static
# executable of its architecture and carries the stamped version. It needs
# no container engine: the build stage cross-compiles from the build
# platform, so the same command runs here.
set -euo pipefail
cd "$(dirname "$0")/.."

line=$(grep -E '^\s*CGO_ENABLED=0 GOOS=' Dockerfile | sed -E 's/^\s+//; s/\\$//')
if [[ -z "$line" || "$line" != *"go build"* ]]; then
	echo "dockerfile-check: no 'CGO_ENABLED=0 GOOS=... go build' line in the Dockerfile" >&2
	exit 1
fi
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
echo "Dockerfile build line: $line"

for arch in amd64 arm64; do
	# The Dockerfile's ARGs: buildx sets TARGETOS and TARGETARCH.
	cmd=${line//\/out\//$out\/$arch\/}
	(
		export TARGETOS=linux TARGETARCH=$arch VERSION=check-$arch REVISION=0000000000000000000000000000000000000000
		echo ">> TARGETOS=$TARGETOS TARGETARCH=$TARGETARCH: $cmd"
		eval "$cmd"
	)
	bin=$out/$arch/cio-transformer
	info=$(go version -m "$bin")
	grep -qE "^\s+build\s+GOARCH=$arch$" <<<"$info" || { echo "$bin: go version -m says:"; echo "$info"; exit 1; } >&2
	grep -qE "^\s+build\s+GOOS=linux$" <<<"$info" || { echo "$bin: not GOOS=linux" >&2; exit 1; }
	grep -qE "^\s+build\s+CGO_ENABLED=0$" <<<"$info" || { echo "$bin: not CGO_ENABLED=0" >&2; exit 1; }
	# -trimpath keeps -ldflags out of the build info: look for the value.
	grep -qa "check-$arch" "$bin" || { echo "$bin: version not stamped" >&2; exit 1; }
	echo "$bin: GOOS=linux GOARCH=$arch CGO_ENABLED=0 (go version -m), version stamped"
	if command -v file >/dev/null; then
		desc=$(file -b "$bin")
		echo "$bin: $desc"
		case $arch in
		amd64) want='x86-64' ;;
		arm64) want='aarch64' ;;
		esac
		[[ "$desc" == *"$want"* && "$desc" == *"statically linked"* ]] || { echo "$bin: file says $desc, want a static $want executable" >&2; exit 1; }
	else
		echo "file(1) is not installed: relying on go version -m"
	fi
done
echo "dockerfile-check: amd64 and arm64 binaries as the Dockerfile builds them"
