# The fourdollar image: `serve` by default, and `load`, `report` with the same binary.
#   docker build -t fourdollar .
#   docker run -p 8080:8080 -v fourdollar-data:/var/lib/fourdollar fourdollar
# The build stage installs what CI installs (install-deps.sh --build-only) and builds the binary
# as scripts/build.sh does; the runtime stage holds the binary, the libraries it links (ldd) or
# loads (libpq5, dlopen'ed for postgres:// stores) and the scenarios.

FROM debian:bookworm AS build
WORKDIR /src
# Dependencies first, so that editing the sources does not reinstall them.
COPY scripts/install-deps.sh scripts/install-deps.sh
RUN bash scripts/install-deps.sh --build-only && rm -rf /var/lib/apt/lists/*
# The layers from here on hold one version of the sources: the deployment check removes them
# once their image is built (podman image prune --filter label=...), keeping those above.
LABEL org.fourdollar.layer=sources
COPY . .
# An optional compiler cache shared with the machine's own builds (the deployment check does
#   podman build -v ~/.cache/ccache:/ccache --build-arg CCACHE_DIR=/ccache
#     --build-arg CCACHE_MAXSIZE=<the machine's max_size>);
# unset, the build uses ccache's default folder inside the stage. Paths are hashed relative to
# /src, as the machine's Release builds hash them relative to their source folder (CMakeLists.txt
# sets base_dir); ccache hashes the locale variables too, so the check passes the machine's own.
ARG CCACHE_DIR
ARG CCACHE_MAXSIZE
ARG CCACHE_BASEDIR=/src
ARG LANG
ARG LC_ALL
ARG LC_CTYPE
ARG LC_MESSAGES
# What scripts/build.sh does, for the one binary the image holds (not the tests), two jobs at
# most. npm ci works offline from an npm cache mounted at /root/.npm (the deployment check
# mounts the machine's).
RUN npm ci --no-audit --no-fund --prefer-offline --loglevel=error >/dev/null \
 && cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null \
 && ninja -C build -j2 fourdollar \
 && strip -o /fourdollar build/src/cli/fourdollar

FROM debian:bookworm-slim
RUN apt-get update -q \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
      libboost-json1.81.0 libre2-9 libsqlite3-0 libyaml-cpp0.7 libpq5 \
      libssl3 libmd4c0 libmd4c-html0 libbrotli1 liburing2 zlib1g \
 && rm -rf /var/lib/apt/lists/*
# A fixed numeric uid, so that Kubernetes' runAsNonRoot can check it and volumes can be
# prepared for it. /results is where `fourdollar load` writes in compose and Kubernetes.
RUN groupadd --system --gid 10001 fourdollar \
 && useradd --system --uid 10001 --gid 10001 --home-dir /var/lib/fourdollar --no-create-home \
      --shell /usr/sbin/nologin fourdollar \
 && install -d -o 10001 -g 10001 -m 0750 /var/lib/fourdollar /results /run/fourdollar
COPY --from=build /fourdollar /usr/bin/fourdollar
COPY scenarios /usr/share/fourdollar/scenarios
COPY deploy/docker/healthcheck.sh /usr/bin/fourdollar-healthcheck
# Fails the build when a library the binary links is missing.
RUN fourdollar --version
ENV FOURDOLLAR_LISTEN=0.0.0.0:8080 \
    FOURDOLLAR_DB=sqlite:/var/lib/fourdollar/blog.db
USER 10001:10001
WORKDIR /var/lib/fourdollar
VOLUME /var/lib/fourdollar
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=3s --start-period=10s --retries=3 \
  CMD ["fourdollar-healthcheck"]
ENTRYPOINT ["fourdollar"]
CMD ["serve"]
