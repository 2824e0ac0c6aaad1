# The pipeline image: the bundled pipeline started from a V8 startup snapshot, on a small Node base,
# as a numeric non-root user. Build it after `npm run build`, which writes the files copied here
# (and nothing else from the repository reaches the image: see .dockerignore):
#   npm run build && docker build -t ghcr.io/kratix-ai-promise/pipeline:v0.1.0 .
#
# Why three stages. A startup snapshot blob loads only in the exact Node binary that built it, so
# the host's dist/pipeline.blob (built by whatever Node ran `npm run build`) is never copied in.
# The blob is built here instead, in a stage that starts FROM the same `base` stage as the runtime
# stage: within one `docker build` both resolve to the same node:24-alpine image, hence the same
# /usr/local/bin/node (and the same platform under buildx --platform, since both stages follow it).
# To pin the base for reproducible builds, add a digest to the one FROM that names it, e.g.
# `FROM node:24-alpine@sha256:... AS base`: every stage follows.
#
# Why Node 24. Node 20 left support in April 2026; Node 24 is an LTS line supported until April
# 2028. Local development, tests and `npm run build` stay on Node 20 or newer: the bundles target
# Node 20 (scripts/bundle.mjs), and this file never uses the host's blob, so the host's Node does not
# matter here. docs/benchmarks.md measures the pipeline on both.
FROM node:24-alpine AS base

FROM base AS snapshot
WORKDIR /build
COPY dist/pipeline.snapshot.cjs dist/pipeline ./
# Runs the bundle once (module evaluation plus a warm-up promise-configure run into a scratch dir)
# and serializes the heap. Any snapshot warning fails the build (as in scripts/bundle.mjs), and so
# does a blob this Node cannot start: the launcher runs it once, here, with the image's own Node.
# The flags are scripts/bundle.mjs's SNAPSHOT_NODE_FLAGS (test/build.test.ts checks they match).
RUN node --single-threaded --snapshot-blob pipeline.blob --build-snapshot pipeline.snapshot.cjs > build.log 2>&1; \
    status=$?; cat build.log; [ "$status" -eq 0 ] && [ -s pipeline.blob ] && ! grep -q Warning build.log \
 && smoke=$(mktemp -d) \
 && KRATIX_DIR=$smoke KRATIX_WORKFLOW_TYPE=promise KRATIX_WORKFLOW_ACTION=configure /bin/sh ./pipeline \
 && test -s "$smoke/metadata/status.yaml" && rm -rf "$smoke"

FROM base
WORKDIR /app
# The launcher (a POSIX sh script: `exec node --single-threaded --snapshot-blob <its dir>/pipeline.blob`) and the plain
# bundle, the same file the tests run, for `docker run --entrypoint node <image> /app/pipeline.mjs`.
COPY dist/pipeline dist/pipeline.mjs /app/
COPY --from=snapshot /build/pipeline.blob /app/pipeline.blob
# Numeric user, so Kubernetes can verify runAsNonRoot; matches runAsUser in promise.yaml. The files
# stay root-owned and read-only to it (the pod runs with readOnlyRootFilesystem).
USER 1000:1000
# Through /bin/sh, so the launcher's mode bits on the build host do not matter.
ENTRYPOINT ["/bin/sh", "/app/pipeline"]
