# syntax=docker/dockerfile:1
#
# sfconnect's image: the worker (the entrypoint), the starter CLI, the
# codec server and the guard, static binaries on a distroless base, run as a non-root user.
# docker-compose.yml builds it for its worker; alone:
#
#   docker build -t sfconnect:local .
#
# The cache mounts need BuildKit (the default builder of Docker 23+ and of
# `docker compose`; with the older docker-compose 1.x, set
# DOCKER_BUILDKIT=1 COMPOSE_DOCKER_CLI_BUILD=1).

# The Go of go.mod's `go` line (deploy/deploy_test.go checks they agree).
ARG GO_VERSION=1.26.8

FROM golang:${GO_VERSION} AS build
WORKDIR /src
# Build with this image's Go, never a downloaded toolchain.
ENV GOTOOLCHAIN=local GOFLAGS=-mod=readonly
COPY go.mod go.sum ./
RUN --mount=type=cache,target=/go/pkg/mod \
    go mod download
COPY . .
# No cgo: the SQLite driver is pure Go, so the binaries are fully static.
RUN --mount=type=cache,target=/go/pkg/mod \
    --mount=type=cache,target=/root/.cache/go-build \
    CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o /out/ \
        ./cmd/worker ./cmd/starter ./cmd/codec-server ./cmd/guard

# Static base: CA certificates, tzdata, /etc/passwd with `nonroot` (65532);
# no shell, no package manager.
FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/worker /out/starter /out/codec-server /out/guard /usr/local/bin/
USER nonroot:nonroot
WORKDIR /home/nonroot
ENTRYPOINT ["/usr/local/bin/worker"]
