# shellcheck shell=bash disable=SC2034 # BASE_ORIGIN is read by image.sh
# The Dockerfile's base, debian:bookworm-slim: used when present or pullable; otherwise made from
# Debian's own packages (no registry needed): debootstrap --variant=minbase bookworm from the
# Debian mirror apt is configured with, slimmed like the official image, and `docker import`ed
# with bookworm, bookworm-updates and bookworm-security as its apt sources.

readonly HD_BASE_IMAGE=debian:bookworm-slim
BASE_ORIGIN="" # present | pulled | built (for the summary)
BASE_ROOTFS="" # the debootstrap target while it exists; base_cleanup removes it

# apt_repo_uri SUITE: the URI apt fetches SUITE from, read from apt's own configuration (one-line
# or deb822 sources alike; no package lists needed).
apt_repo_uri() {
  local uris
  uris=$(apt-get update --print-uris 2>/dev/null) || return 0
  sed -n "s|^'\(.*\)/dists/$1/InRelease'.*|\1/|p" <<<"${uris}" | sed -n 1p
}

base_image() {
  if docker image inspect "${HD_BASE_IMAGE}" >/dev/null 2>&1; then
    BASE_ORIGIN="present"
    log "image: base ${HD_BASE_IMAGE} is present, reusing it ($(base_describe))"
  elif timeout 120 docker pull -q "${HD_BASE_IMAGE}" >/dev/null 2>&1; then
    BASE_ORIGIN="pulled"
    log "image: base ${HD_BASE_IMAGE} pulled from the registry"
  else
    log "image: ${HD_BASE_IMAGE} is neither present nor pullable: building it from Debian packages"
    base_build
    BASE_ORIGIN="built from Debian packages"
  fi
}

base_describe() {
  local origin
  origin=$(docker image inspect -f '{{index .Config.Labels "hd.base.origin"}}' "${HD_BASE_IMAGE}")
  printf '%s, created %s%s\n' \
    "$(docker image inspect -f '{{.Id}}' "${HD_BASE_IMAGE}" | cut -c8-19)" \
    "$(docker image inspect -f '{{.Created}}' "${HD_BASE_IMAGE}" | cut -c1-19)" \
    "${origin:+, ${origin}}"
}

base_build() {
  local mirror security root start=${SECONDS}
  mirror=${HD_DEBIAN_MIRROR:-$(apt_repo_uri bookworm)}
  security=${HD_DEBIAN_SECURITY_MIRROR:-$(apt_repo_uri bookworm-security)}
  [[ -n ${mirror} ]] || die "no bookworm source in apt's configuration (set HD_DEBIAN_MIRROR)"
  [[ -n ${security} ]] ||
    die "no bookworm-security source in apt's configuration (set HD_DEBIAN_SECURITY_MIRROR)"
  command -v debootstrap >/dev/null || apt_install debootstrap
  root=${HD_SCRATCH}/base-rootfs-$$
  BASE_ROOTFS=${root}
  log "image: debootstrap --variant=minbase bookworm ${mirror} (log ${root}.log)"
  debootstrap --variant=minbase --keyring=/usr/share/keyrings/debian-archive-keyring.gpg \
    bookworm "${root}" "${mirror}" >"${root}.log" 2>&1 ||
    die "debootstrap failed, see ${root}.log"
  base_slim "${root}" "${mirror%/}" "${security%/}"
  tar --numeric-owner --xattrs -C "${root}" -c . |
    docker import \
      --change 'CMD ["bash"]' \
      --change "LABEL hd.base.origin=\"debootstrap minbase bookworm from ${mirror%/}\"" \
      - "${HD_BASE_IMAGE}" >/dev/null
  base_cleanup
  rm -f "${root}.log"
  log "image: ${HD_BASE_IMAGE} built in $((SECONDS - start)) s ($(base_describe))"
}

# base_slim ROOT MIRROR SECURITY: as the official slim image: apt sources in deb822, no services
# started by package installs, no docs, man pages or locales installed, no package lists or
# caches left behind.
base_slim() {
  local root=$1 mirror=$2 security=$3
  rm -f "${root}/etc/apt/sources.list"
  cat >"${root}/etc/apt/sources.list.d/debian.sources" <<EOF
Types: deb
URIs: ${mirror}
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: ${security}
Suites: bookworm-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
  printf '#!/bin/sh\nexit 101\n' >"${root}/usr/sbin/policy-rc.d"
  chmod 755 "${root}/usr/sbin/policy-rc.d"
  cat >"${root}/etc/dpkg/dpkg.cfg.d/docker-slim" <<'EOF'
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/man/*
path-exclude /usr/share/info/*
path-exclude /usr/share/locale/*
path-exclude /usr/share/lintian/*
EOF
  cat >"${root}/etc/apt/apt.conf.d/docker-clean" <<'EOF'
DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/*.bin || true"; };
Acquire::Languages "none";
EOF
  find "${root}/usr/share/doc" -mindepth 1 -not -name copyright -not -type d -delete
  rm -rf "${root}"/usr/share/{man,info,locale,lintian}/* "${root}"/var/lib/apt/lists/* \
    "${root}"/var/cache/apt/*.bin "${root}"/var/cache/apt/archives/*.deb \
    "${root}"/var/log/apt/* "${root}"/tmp/*
}

# base_cleanup: removes the debootstrap target, unmounting anything debootstrap left mounted in it.
base_cleanup() {
  [[ -n ${BASE_ROOTFS} && -d ${BASE_ROOTFS} ]] || return 0
  local mount
  while read -r mount; do
    umount -l "${mount}" 2>/dev/null || true
  done < <(findmnt -rn -o TARGET | grep -F "${BASE_ROOTFS}/" | sort -r)
  rm -rf --one-file-system "${BASE_ROOTFS}"
  BASE_ROOTFS=""
}
