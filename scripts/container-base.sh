#!/usr/bin/env bash
# Makes the base image the Dockerfile and the deployment check build FROM, once per machine:
# a minimal Debian 12 made by debootstrap from Debian's mirror and imported into podman as
# debian:bookworm, also tagged docker.io/library/debian:bookworm (what `FROM debian:bookworm`
# resolves to) and debian:bookworm-slim (the Dockerfile's runtime stage; minbase is as small).
# Nothing is pulled from a registry. When the image exists already it only checks the tags.
#   bash scripts/container-base.sh            (root; needs debootstrap and podman)
#   FOURDOLLAR_DEBIAN_MIRROR=URL              another Debian mirror
set -euo pipefail
mirror=${FOURDOLLAR_DEBIAN_MIRROR:-http://deb.debian.org/debian}
image=localhost/debian:bookworm
tags=(docker.io/library/debian:bookworm docker.io/library/debian:bookworm-slim
  localhost/debian:bookworm-slim)

if ! podman image exists "$image"; then
  dir=$(mktemp -d "${TMPDIR:-/var/tmp}/fourdollar-debootstrap-XXXXXX")
  trap 'rm -rf "$dir"' EXIT
  echo "container-base: debootstrap bookworm from $mirror"
  debootstrap --variant=minbase bookworm "$dir" "$mirror" >"$dir.log" 2>&1 || {
    tail -20 "$dir.log" >&2
    rm -f "$dir.log"
    exit 1
  }
  rm -f "$dir.log"
  # What the official image also does: no apt caches kept, apt's sources for bookworm.
  rm -rf "$dir"/var/cache/apt/archives/*.deb "$dir"/var/lib/apt/lists/*
  tar -C "$dir" -c . | podman import --change 'CMD ["bash"]' - "$image" >/dev/null
fi
for tag in "${tags[@]}"; do
  podman image exists "$tag" || podman tag "$image" "$tag"
done
echo "container-base: $image ready"
