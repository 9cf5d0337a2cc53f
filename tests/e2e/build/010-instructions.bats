#!/usr/bin/env bats
# Every Dockerfile instruction, built by berth and by the real `docker build`
# (Debian's dockerd 20.10, classic builder) from the same context, compared
# field by field: image config, history (created_by, which steps made a
# layer), layer count and the final filesystem (paths, types, modes,
# owners, link targets, contents).

load helpers

setup_file() {
  bt_setup_file
  # Without it every comparison fails under BERTH_E2E_STRICT=1 (need_dockerd),
  # and is skipped otherwise: said here once.
  start_dockerd || echo "# no reference dockerd (see the setup_file output): comparisons fail under BERTH_E2E_STRICT=1, else skip" >&3
}
teardown_file() { bt_teardown_file; }
teardown() { ct_teardown; }

@test "metadata instructions: ENV, LABEL, ARG, USER, WORKDIR, EXPOSE, VOLUME, STOPSIGNAL, SHELL, CMD, ENTRYPOINT, HEALTHCHECK, ONBUILD, MAINTAINER" {
  need_dockerd
  local c="$BCTX/meta"
  mkdir -p "$c"
  cat >"$c/Dockerfile" <<'DF'
FROM busybox:latest
MAINTAINER Jane Doe <jane@example.com>
ARG VERSION=1.0
ARG EMPTY
ENV APP=/opt/app \
    GREETING="hello world" QUOTED='single $VERSION'
ENV OLDSTYLE value with   spaces
ENV DERIVED=${APP}/bin:${VERSION:-none}:${MISSING:-dflt}:${APP:+set}
LABEL org.example.name="berth test" version=$VERSION "spaced key"=x
LABEL multi=1 \
      # a comment between continued lines
      other=2
USER 1000:1000
WORKDIR /srv
WORKDIR rel/dir
EXPOSE 80 443/tcp 53/udp 8000-8002
VOLUME /data ["/logs", "/cache"]
STOPSIGNAL SIGTERM
SHELL ["/bin/sh", "-e", "-c"]
HEALTHCHECK --interval=5s --timeout=3s --start-period=1s --retries=4 CMD wget -q -O- localhost || exit 1
ONBUILD RUN echo triggered > /onbuild.txt
ONBUILD LABEL from.onbuild=yes
ENTRYPOINT ["/bin/echo"]
CMD echo shell form
DF
  build_both meta "$c" --build-arg EMPTY=given
  compare meta
}

@test "ENTRYPOINT without CMD in the stage resets the image's Cmd; HEALTHCHECK NONE; exec form CMD" {
  need_dockerd
  local c="$BCTX/entry"
  mkdir -p "$c"
  printf 'FROM busybox:latest\nENTRYPOINT top -b\nHEALTHCHECK NONE\n' >"$c/Dockerfile"
  build_both entry "$c"
  compare entry
  printf 'FROM busybox:latest\nCMD ["echo", "a \\"quoted\\" word", "tab\\there"]\nENTRYPOINT []\n' >"$c/Dockerfile"
  build_both entry2 "$c"
  compare entry2
}

@test "COPY and ADD: files, directories, wildcards, destinations, modes, owners, symlinks, tar extraction" {
  need_dockerd
  local c="$BCTX/copy"
  mkdir -p "$c/dir/sub" "$c/tree/a/b" "$c/arch/top"
  echo one >"$c/one.txt"
  echo two >"$c/two.txt"
  echo script >"$c/run.sh"
  chmod 0755 "$c/run.sh"
  echo secret >"$c/private"
  chmod 0600 "$c/private"
  echo nested >"$c/dir/sub/nested.txt"
  chmod 0750 "$c/dir/sub"
  echo deep >"$c/tree/a/b/deep"
  ln -s one.txt "$c/link"
  echo inside >"$c/arch/top/inside.txt"
  chown 1234:5678 "$c/arch/top/inside.txt"
  tar -czf "$c/archive.tar.gz" -C "$c/arch" top
  echo plain >"$c/notatar.gz"
  cat >"$c/Dockerfile" <<'DF'
FROM busybox:latest
COPY one.txt /file-renamed
COPY one.txt two.txt /multi/
COPY *.txt /glob/
COPY t?o.txt /single-glob/
COPY dir /copied-dir
COPY dir/ /copied-dir-slash/
COPY tree/a /etc/tree-in-existing
COPY run.sh private /modes/
COPY link /link-copied
COPY --chown=1000:1000 one.txt /owned/one
COPY --chown=nobody:nogroup tree /owned-by-name/
COPY --chown=12:nogroup two.txt /owned-mixed
WORKDIR /work
COPY one.txt relative/
COPY two.txt .
ADD archive.tar.gz /extracted/
ADD notatar.gz /notatar.gz
ADD --chown=7:8 archive.tar.gz /extracted-owned
ADD one.txt /added-plain
DF
  build_both copy "$c"
  compare copy
}

@test "RUN: shell and exec forms, build args in history, SHELL, deletions (whiteouts), a changed file" {
  need_dockerd
  local c="$BCTX/run"
  mkdir -p "$c"
  cat >"$c/Dockerfile" <<'DF'
FROM busybox:latest
ARG BUILD_NO=7
ARG UNUSED_DEFAULT
RUN echo "build $BUILD_NO" > /build.txt && mkdir -p /opt/x && echo y > /opt/x/y
RUN ["/bin/sh", "-c", "chmod 0700 /opt/x && rm /opt/x/y && rm -f /bin/vi"]
ENV BUILD_NO=from-env
RUN echo "$BUILD_NO" > /env-wins.txt
SHELL ["/bin/sh", "-x", "-c"]
RUN touch /shell-x && echo more >> /build.txt
RUN true
DF
  build_both run "$c" --build-arg BUILD_NO=42 --build-arg HTTP_PROXY=http://proxy.invalid:3128
  compare run
}

@test "multi-stage: ARG before FROM, AS names, COPY --from by name and index, --target" {
  need_dockerd
  local c="$BCTX/multi"
  mkdir -p "$c"
  echo src >"$c/src.txt"
  cat >"$c/Dockerfile" <<'DF'
ARG BASE=busybox
ARG TAG=latest
FROM ${BASE}:${TAG} AS builder
ARG TAG
RUN echo "built on $TAG" > /artifact && mkdir /out && cp /artifact /out/a
COPY src.txt /out/
FROM builder as tester
RUN cat /artifact > /tested
FROM busybox:latest
COPY --from=builder /out /app/
COPY --from=0 /artifact /artifact0
COPY --from=builder /out/src.txt /out/../artifact /two/
LABEL stage=final
DF
  build_both multi "$c"
  compare multi
  build_both multi-target "$c" --target tester
  compare multi-target
}

@test "ONBUILD triggers run in a child build" {
  need_dockerd
  local c="$BCTX/parent"
  mkdir -p "$c"
  printf 'FROM busybox:latest\nONBUILD COPY hello.txt /from-child.txt\nONBUILD RUN echo ran > /ran.txt\nCMD ["sh"]\n' >"$c/Dockerfile"
  build_both parent "$c"
  compare parent
  local d="$BCTX/child"
  mkdir -p "$d"
  echo hi >"$d/hello.txt"
  printf 'FROM bt/parent\nLABEL child=1\n' >"$d/Dockerfile"
  run_berth build -t bt/child "$d"
  assert_success
  assert_match "$output" "# Executing 2 build triggers"
  printf 'FROM dk/parent\nLABEL child=1\n' >"$d/Dockerfile"
  run_cmd env DOCKER_BUILDKIT=0 /usr/bin/docker -H "$DHOST" build -t dk/child "$d"
  assert_success
  compare child
}

@test "FROM scratch with COPY and WORKDIR" {
  need_dockerd
  local c="$BCTX/scratch"
  mkdir -p "$c/bin"
  cp /bin/busybox "$c/bin/busybox" 2>/dev/null || cp "$(command -v busybox)" "$c/bin/busybox"
  printf 'FROM scratch\nCOPY bin /bin\nWORKDIR /w\nENV X=1\nCMD ["/bin/busybox", "true"]\n' >"$c/Dockerfile"
  build_both scratch "$c"
  compare scratch
}
