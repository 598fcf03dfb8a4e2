# syntax=docker/dockerfile:1
#
# The action's image: one static Go binary on distroless.
#
# Base images are pinned by the digest of their multi-arch index (linux/amd64
# and linux/arm64). The tag beside each digest is for people and for
# dependabot, which updates tag and digest together; the digest is what is
# pulled. internal/docs/dockerfile_test.go runs the go build below, with the
# same environment and flags, and checks the result.

# The builder runs on the build machine's platform and cross-compiles for the
# target: no emulation is needed for the arm64 image.
FROM --platform=$BUILDPLATFORM golang:1.26.8-bookworm@sha256:a688600ca24f8a4d3ca77f95b0dd40704a9fc787c826660eb7ba0b641b8b175d AS build

WORKDIR /src

# Modules first, so that a source-only change reuses this layer.
COPY go.mod go.sum ./
RUN go mod download

COPY . .

ARG TARGETOS
ARG TARGETARCH
ARG VERSION=dev
RUN CGO_ENABLED=0 GOOS=${TARGETOS} GOARCH=${TARGETARCH} go build -trimpath -ldflags "-s -w -X github.com/cloudflare-purge/cloudflare-purge/internal/app.Version=${VERSION}" -o /out/cloudflare-purge .

# The root variant of distroless static, on purpose: a container action runs
# as root, and the runner bind-mounts GITHUB_OUTPUT and GITHUB_STEP_SUMMARY
# from the host, which a non-root user cannot write. Hence no USER line.
# The image carries CA certificates and /etc/passwd, and nothing else: no
# shell, no package manager.
FROM gcr.io/distroless/static-debian12:latest@sha256:d75cdd72874d4790092fcb1b058493ecf6bb5bf2b2b897045b00ff01d91843f2

ARG VERSION=dev
LABEL org.opencontainers.image.title="cloudflare-purge" \
      org.opencontainers.image.description="Purge Cloudflare's cache per zone-versioning environment: a GitHub Action and a CLI." \
      org.opencontainers.image.source="https://github.com/cloudflare-purge/cloudflare-purge" \
      org.opencontainers.image.url="https://github.com/cloudflare-purge/cloudflare-purge" \
      org.opencontainers.image.documentation="https://github.com/cloudflare-purge/cloudflare-purge#readme" \
      org.opencontainers.image.licenses="MIT" \
      org.opencontainers.image.version="${VERSION}"

COPY --from=build /out/cloudflare-purge /cloudflare-purge

# Exec form with an absolute path: the runner appends the action's args (none)
# and the binary sees GITHUB_ACTIONS=true, so it runs as the action.
ENTRYPOINT ["/cloudflare-purge"]
