# helpdesk-ingest: build on Debian 12 packages, run on the matching shared libraries only.
# The package lists are the ones deploy/local.sh installs.

FROM debian:bookworm-slim AS builder
COPY deploy/packages-build.txt /tmp/packages-build.txt
RUN apt-get update \
 && xargs apt-get install -y --no-install-recommends < /tmp/packages-build.txt \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
# The sources of the binary only: a change to the docs, tests or deploy files reuses the compile.
COPY CMakeLists.txt ./
COPY connectors connectors
COPY db db
COPY service service
# RelWithDebInfo's -O2 -DNDEBUG without -g: the debug info was stripped anyway, and generating it
# for this template-heavy code costs a good part of the compile.
RUN cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O2 -DNDEBUG" \
      -DHD_BUILD_TESTS=OFF \
 && cmake --build build -j"$(nproc)" --target helpdesk-ingest \
 && strip --strip-debug build/helpdesk-ingest

# Shared libraries only. packages-runtime.txt names gpg because libgpgme11 (of libgmime) depends
# on "gnupg | gpg": without it apt takes the whole gnupg suite (agent, dirmngr, pinentry, gpgsm).
FROM debian:bookworm-slim
COPY deploy/packages-runtime.txt /tmp/packages-runtime.txt
RUN apt-get update \
 && xargs apt-get install -y --no-install-recommends < /tmp/packages-runtime.txt \
 && rm -rf /var/lib/apt/lists/* /tmp/packages-runtime.txt \
 && useradd --system --user-group --no-create-home --shell /usr/sbin/nologin helpdesk \
 && mkdir -p /etc/helpdesk-ingest \
 && install -d -o helpdesk -g helpdesk -m 0700 /var/spool/helpdesk-ingest
COPY --from=builder /src/build/helpdesk-ingest /usr/local/bin/helpdesk-ingest
COPY deploy/config.example.json /etc/helpdesk-ingest/config.example.json
USER helpdesk
EXPOSE 8080
# Without a URL the check reads http.listen from /etc/helpdesk-ingest/config.json: any port works.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s \
  CMD ["/usr/local/bin/helpdesk-ingest", "--healthcheck"]
# Last, so a new revision does not invalidate the layers above: deploy/local.sh image-test passes
# the version (CMakeLists.txt) and the git revision.
ARG VERSION=unknown
ARG REVISION=unknown
LABEL org.opencontainers.image.title="helpdesk-ingest" \
      org.opencontainers.image.description="Support mailboxes (IMAP/POP3, Outlook.com) into helpdesk tickets in PostgreSQL" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.base.name="debian:bookworm-slim"
ENTRYPOINT ["/usr/local/bin/helpdesk-ingest"]
CMD ["--config", "/etc/helpdesk-ingest/config.json"]
