# syntax=docker/dockerfile:1
# auditstack image: the engine and the auditstack CLI (migrations, tokens, verify, jobs).
#   docker build -f deploy/docker/engine.Dockerfile -t auditstack/engine .
# Multi-stage: the build stage installs, compiles TypeScript to JavaScript
# (tools/bin/compile.js) and prunes dev dependencies; the runtime stage runs
# plain node as a non-root user. apps/dashboard is not in this context, so the
# dashboard's dependencies (Next.js, React) never reach this image.
ARG NODE_IMAGE=node:20-bookworm-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /app
# Manifests first: the dependency layer is rebuilt only when they change.
COPY package.json package-lock.json tsconfig.base.json .swcrc ./
COPY apps/engine/package.json apps/engine/
COPY libs/audit-core/package.json libs/audit-core/
COPY libs/client/package.json libs/client/
COPY libs/collectors/package.json libs/collectors/
COPY libs/evidence/package.json libs/evidence/
COPY libs/evidence-store/package.json libs/evidence-store/
COPY libs/service-kit/package.json libs/service-kit/
COPY migrations/package.json migrations/
COPY tools/package.json tools/
RUN npm install --no-audit --no-fund
COPY apps/engine apps/engine
COPY libs libs
COPY migrations migrations
COPY tools tools
RUN node tools/bin/compile.js --root /app apps/engine libs/audit-core libs/client libs/collectors libs/evidence libs/evidence-store libs/service-kit migrations tools \
 && npm prune --omit=dev --no-audit --no-fund \
 && find apps libs migrations tools -name '*.ts' -not -path '*/node_modules/*' -delete

FROM ${NODE_IMAGE}
ENV NODE_ENV=production HOST=0.0.0.0 ENGINE_PORT=8200 AUDITSTACK_HOME=/var/lib/auditstack
WORKDIR /app
COPY --from=build /app /app
# Mount points owned by the service user: a fresh named volume takes this ownership (keys, anchors, reports, spool, sentinel).
RUN mkdir -p /var/lib/auditstack/keys /var/lib/auditstack/anchors /var/lib/auditstack/reports /var/lib/auditstack/spool /var/lib/auditstack/governance \
 && chown -R 10001:10001 /var/lib/auditstack && chmod 0700 /var/lib/auditstack/spool
USER 10001:10001
EXPOSE 8200
HEALTHCHECK --interval=15s --timeout=3s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.ENGINE_PORT || 8200) + '/ping').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
ENTRYPOINT ["node"]
CMD ["apps/engine/src/main.js"]
