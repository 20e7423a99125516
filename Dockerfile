# Palette Maker container image: the static-except-glibc binary on `scratch` (no shell, no package
# manager; `palettemaker healthcheck` stands in for curl). Build:
#   docker build --build-arg VERSION=0.1.0 --build-arg REVISION=$(git rev-parse HEAD) -t palettemaker .
# Run (data in the volume /data, owned by uid 10001):
#   docker run -p 8080:8080 -v palettemaker-data:/data palettemaker
# See docs/OPERATIONS.md "Docker" (PostgreSQL/S3 settings go in as PALETTEMAKER_* variables).

# --- build: the same two commands a user runs on Debian 12, then the minimal root filesystem ---
FROM debian:12 AS build
WORKDIR /src
COPY . .
# install-deps.sh installs the toolchain, the libraries and Node; make build builds the web app and
# the release binary (no tests here: `make test` is for CI, not for the image).
RUN scripts/install-deps.sh run \
 && make build \
 && packaging/rootfs.sh build/release/palettemaker /rootfs

# --- runtime -----------------------------------------------------------------------------------
FROM scratch
ARG VERSION=0.1.0
ARG REVISION=unknown
LABEL org.opencontainers.image.title="palettemaker" \
      org.opencontainers.image.description="Colour palettes from images, as a self-hosted multi-tenant service" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.source="https://github.com/palettemaker/palettemaker" \
      org.opencontainers.image.documentation="https://github.com/palettemaker/palettemaker/blob/main/docs/OPERATIONS.md"
# /usr/bin/palettemaker, the glibc files it loads, the CA bundle, /etc/passwd + /etc/group with
# palettemaker (10001), and /data owned by 10001: the only writable path.
COPY --from=build /rootfs /
ENV PALETTEMAKER_SERVER_LISTEN=0.0.0.0:8080 \
    PALETTEMAKER_DATA_DIR=/data
USER 10001:10001
WORKDIR /data
VOLUME /data
EXPOSE 8080
# SIGTERM drains: /readyz answers 503 for server.drain_grace_s, then in-flight requests get
# server.drain_timeout_s (2 + 30 s by default; give `docker stop -t` at least 35).
STOPSIGNAL SIGTERM
HEALTHCHECK --interval=30s --timeout=5s --start-period=15s --retries=3 \
  CMD ["/usr/bin/palettemaker", "healthcheck", "--timeout", "3"]
ENTRYPOINT ["/usr/bin/palettemaker"]
CMD ["serve"]
