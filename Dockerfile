# syntax=docker/dockerfile:1

# cio-transformer: a static Go binary on a distroless base, running as a
# non-root user. Build with:
#
#   docker buildx build --platform linux/amd64,linux/arm64 \
#     --build-arg VERSION="$(git describe --tags --always --dirty)" \
#     --build-arg REVISION="$(git rev-parse HEAD)" -t cio-transformer:dev .
#
# "cio-transformer version" and the cio_transformer_build_info metric then
# name the build (the build context has no .git to read them from).
#
# Both base images are named by tag; pin them by digest (image@sha256:...)
# in your registry mirror for reproducible builds.

# Build stage: compile for the target platform from the build platform, so
# multi-platform builds (docker buildx --platform linux/amd64,linux/arm64)
# need no emulation. CGO_ENABLED=0 makes the binary static.
FROM --platform=$BUILDPLATFORM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN --mount=type=cache,target=/go/pkg/mod go mod download
COPY . .
# buildx sets these for each platform it builds; no defaults here, which
# would shadow its values. A builder that sets none gets linux/amd64.
ARG TARGETOS TARGETARCH
ARG VERSION=dev
ARG REVISION=unknown
# make dockerfile-check runs the next line's build for amd64 and arm64.
RUN --mount=type=cache,target=/go/pkg/mod \
    --mount=type=cache,target=/root/.cache/go-build \
    CGO_ENABLED=0 GOOS=${TARGETOS:-linux} GOARCH=${TARGETARCH:-amd64} go build -trimpath -ldflags="-s -w -X main.version=${VERSION} -X main.revision=${REVISION}" -o /out/cio-transformer ./cmd/cio-transformer

# Run stage: distroless static has no shell or package manager, only CA
# certificates, tzdata and a passwd file with the nonroot user (65532).
FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/cio-transformer /cio-transformer
USER 65532:65532
# gRPC, and Prometheus /metrics when --metrics-listen is set.
EXPOSE 50051 9464
ENTRYPOINT ["/cio-transformer", "serve"]
CMD ["--listen=:50051", "--metrics-listen=:9464"]
