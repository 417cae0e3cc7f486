# helpdesk-ingest: build on Debian 12 packages, run on the matching shared libraries only.
# The package lists are the ones deploy/local.sh installs.

FROM debian:bookworm-slim AS builder
COPY deploy/packages-build.txt /tmp/packages-build.txt
RUN apt-get update \
 && xargs apt-get install -y --no-install-recommends < /tmp/packages-build.txt \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
RUN cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo -DHD_BUILD_TESTS=OFF \
 && cmake --build build -j"$(nproc)" --target helpdesk-ingest \
 && strip --strip-debug build/helpdesk-ingest

FROM debian:bookworm-slim
COPY deploy/packages-runtime.txt /tmp/packages-runtime.txt
RUN apt-get update \
 && xargs apt-get install -y --no-install-recommends < /tmp/packages-runtime.txt \
 && rm -rf /var/lib/apt/lists/* /tmp/packages-runtime.txt \
 && useradd --system --user-group --no-create-home --shell /usr/sbin/nologin helpdesk \
 && mkdir -p /etc/helpdesk-ingest
COPY --from=builder /src/build/helpdesk-ingest /usr/local/bin/helpdesk-ingest
COPY deploy/config.example.json /etc/helpdesk-ingest/config.example.json
USER helpdesk
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s \
  CMD ["/usr/local/bin/helpdesk-ingest", "--healthcheck", "http://127.0.0.1:8080/healthz"]
ENTRYPOINT ["/usr/local/bin/helpdesk-ingest"]
CMD ["--config", "/etc/helpdesk-ingest/config.json"]
