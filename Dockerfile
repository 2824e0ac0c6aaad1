# The pipeline image: one self-contained bundle on a small Node base, run as a non-root user.
# Build it after `npm run build` (which writes dist/pipeline.mjs, the same file the tests run):
#   docker build -t ghcr.io/kratix-ai-promise/pipeline:v0.1.0 .
FROM node:20-alpine
WORKDIR /app
COPY dist/pipeline.mjs /app/pipeline.mjs
# Numeric user, so Kubernetes can verify runAsNonRoot; matches runAsUser in promise.yaml.
USER 1000:1000
ENTRYPOINT ["node", "/app/pipeline.mjs"]
