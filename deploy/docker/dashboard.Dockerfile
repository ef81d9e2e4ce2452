# syntax=docker/dockerfile:1
# auditstack image: the dashboard (Next.js standalone server).
#   docker build -f deploy/docker/dashboard.Dockerfile -t auditstack/dashboard .
# The runtime stage holds only Next's standalone output: the server, the files it
# traced, and the static assets. No secret is baked in; ENGINE_URL and
# GATEWAY_URL are read at run time.
ARG NODE_IMAGE=node:20-bookworm-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json tsconfig.base.json ./
COPY apps/dashboard/package.json apps/dashboard/
COPY libs/audit-core/package.json libs/audit-core/
COPY libs/client/package.json libs/client/
RUN npm install --no-audit --no-fund
COPY libs/audit-core libs/audit-core
COPY libs/client libs/client
COPY apps/dashboard apps/dashboard
ENV NEXT_TELEMETRY_DISABLED=1 NEXT_OUTPUT=standalone
RUN cd apps/dashboard && node ../../node_modules/next/dist/bin/next build \
 && cp -r .next/static .next/standalone/apps/dashboard/.next/static

FROM ${NODE_IMAGE}
ENV NODE_ENV=production NEXT_TELEMETRY_DISABLED=1 PORT=3000 HOSTNAME=0.0.0.0
WORKDIR /app
COPY --from=build /app/apps/dashboard/.next/standalone ./
USER 10001:10001
EXPOSE 3000
HEALTHCHECK --interval=15s --timeout=3s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/ping').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["node", "apps/dashboard/server.js"]
