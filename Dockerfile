# syntax=docker/dockerfile:1

# cio-transformer: a static Go binary on a distroless base, running as a
# non-root user. Build with:
#
#   docker build -t cio-transformer:dev .
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
ARG TARGETOS=linux
ARG TARGETARCH=amd64
RUN --mount=type=cache,target=/go/pkg/mod \
    --mount=type=cache,target=/root/.cache/go-build \
    CGO_ENABLED=0 GOOS=$TARGETOS GOARCH=$TARGETARCH \
    go build -trimpath -ldflags='-s -w' -o /out/cio-transformer ./cmd/cio-transformer

# Run stage: distroless static has no shell or package manager, only CA
# certificates, tzdata and a passwd file with the nonroot user (65532).
FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/cio-transformer /cio-transformer
USER 65532:65532
# gRPC, and Prometheus /metrics when --metrics-listen is set.
EXPOSE 50051 9464
ENTRYPOINT ["/cio-transformer", "serve"]
CMD ["--listen=:50051", "--metrics-listen=:9464"]
