# syntax=docker/dockerfile:1
# Spotify Token Swap: docker build -t spotify-token-swap .
# Node 24 (LTS): .ci/run runs the whole suite on it as well as on the development machines' Node 20.
# Pin NODE_IMAGE to a digest (node:24-bookworm-slim@sha256:...) for reproducible builds.
ARG NODE_IMAGE=node:24-bookworm-slim

# Build stage: dev dependencies (Nest CLI, TypeScript) compile src/ to dist/ and stay here.
FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
# No install scripts: nothing the build needs has one, and it keeps third-party code from running here.
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY nest-cli.json tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build

# Runtime stage: production dependencies and the compiled service, nothing else
# (test/image-layout.e2e-spec.ts starts exactly this layout without an engine).
FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force
# After the install, which is npm's business, not the service's: V8 sizes its heap from the host's
# memory, not the container's, and lets it grow to about 250 MB RSS under load before collecting.
# This cap holds the peak near 165 MB at 64 connections with no measurable extra GC time
# (bench/RESULTS.md; npm run bench starts the service with this line, and the Procfile must
# carry the same flag).
ENV NODE_OPTIONS=--max-old-space-size=160
COPY --from=build /app/dist ./dist
# Code and dependencies stay owned by root: the service cannot rewrite itself.
USER node
EXPOSE 5000
# Readiness, not liveness: a draining instance (SIGTERM received) reports unhealthy at once.
# Node's own fetch, because the slim image has no curl or wget.
HEALTHCHECK --interval=10s --timeout=3s --start-period=15s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 5000) + '/health/ready').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# Exec form: node is PID 1 and receives SIGTERM itself, drains in-flight requests and exits 0
# (a shell in between would swallow the signal). Give it more than SHUTDOWN_GRACE_MS (25 s) to stop:
# docker stop -t 35, compose stop_grace_period, Kubernetes terminationGracePeriodSeconds.
CMD ["node", "dist/main.js"]
