# syntax=docker/dockerfile:1
# Image of the dashboard gateway: a static Go binary on distroless, run as a
# non-root user. Build from the repository root:
#
#   docker build -t dashboard-gateway:dev .
#   docker build --build-arg VERSION=v1.2.3 -t registry.example.com/dashboard-gateway:v1.2.3 .
#
# It needs BuildKit (Docker 23+ builds with it by default) for its cache
# mounts: modules and the build cache persist between builds on the same
# builder, so an edit rebuilds only what changed.
#
# deploy/README.md covers running it on Kubernetes.

# The build stage's Go matches go.mod's `go 1.26.8`, so the build never tries
# to download another toolchain.
FROM golang:1.26.8-bookworm AS build
WORKDIR /src

# Modules first, in their own layer: it is rebuilt only when go.mod or go.sum
# change, not on every source edit.
COPY go.mod go.sum ./
RUN --mount=type=cache,target=/go/pkg/mod go mod download

COPY . .
# CGO_ENABLED=0: a static binary, as distroless/static (no libc) needs.
# VERSION stamps the binary (-version, gateway_build_info, the traces'
# service.version); without it the build says "devel".
ARG VERSION=""
RUN --mount=type=cache,target=/go/pkg/mod --mount=type=cache,target=/root/.cache/go-build \
    CGO_ENABLED=0 go build -trimpath -ldflags="-s -w -X main.buildVersion=${VERSION}" -o /out/dashboard-gateway .

# distroless/static has CA certificates (for https service URLs and the OTLP
# exporter) and tzdata, and no shell or package manager. The :nonroot tag
# runs as uid/gid 65532.
FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/dashboard-gateway /dashboard-gateway

# The default -addr (:8080); every setting is a flag or an environment
# variable of the same name (ADDR, ORDERS_URL, ...): see docs/configuration.md.
EXPOSE 8080
# The admin listener (/metrics, /debug/pprof/, probes) on the container's
# own interfaces: its default, 127.0.0.1:9090, would be the container's
# loopback, which nothing outside reaches. Publish it only where operators
# and Prometheus are, e.g. docker run -p 127.0.0.1:9090:9090; it is not
# EXPOSEd, so docker run -P does not publish it.
ENV ADMIN_ADDR=:9090
USER nonroot:nonroot

# No HEALTHCHECK: there is no shell or curl in this image. Orchestrators probe
# GET /healthz (liveness) and GET /readyz (readiness) over HTTP instead, as
# deploy/deployment.yaml does. On SIGTERM the gateway drains and exits 0.
ENTRYPOINT ["/dashboard-gateway"]
