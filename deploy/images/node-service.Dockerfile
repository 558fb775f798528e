# syntax=docker/dockerfile:1
# Any of the shop's Node services: `docker buildx bake` (docker-bake.hcl) builds one image per
# service with SERVICE set, for linux/amd64 and linux/arm64. Stages: the workspace built with its
# dev dependencies; then only the service's production dependencies; then a final stage with
# those and the built output of the service and the workspace packages it needs, run as uid 1000
# (the base image's `node` user).
ARG NODE_IMAGE=node:24.21.0-bookworm-slim

FROM ${NODE_IMAGE} AS build
ARG SERVICE
WORKDIR /src
# npm resolves the workspace from every member's package.json and the lockfile.
COPY package.json package-lock.json tsconfig.base.json tsconfig.json buf.yaml ./
COPY gen gen
COPY packages packages
COPY services services
COPY tests/mesh/package.json tests/mesh/
COPY web/package.json web/
COPY deploy/images deploy/images
RUN test -n "${SERVICE}" && npm ci --no-audit --no-fund --ignore-scripts && npx tsc -b "services/${SERVICE}"
# Every workspace member's package.json (npm checks them against the lockfile), and the built
# output of only the service and the workspace packages it depends on (not their tests or benchmarks).
RUN for dir in gen packages/* services/* tests/* web; do mkdir -p "/out/${dir}" && cp "${dir}/package.json" "/out/${dir}/"; done && \
    for dir in $(node deploy/images/workspace-closure.mjs "services/${SERVICE}"); do \
      cp -r "${dir}/dist" "/out/${dir}/" && rm -rf "/out/${dir}/dist/test" "/out/${dir}/dist/bench" "/out/${dir}"/dist/*.tsbuildinfo; \
    done

FROM ${NODE_IMAGE} AS production-dependencies
ARG SERVICE
WORKDIR /app
COPY --from=build /src/package.json /src/package-lock.json ./
COPY --from=build /out ./
# Only what the service needs at run time, without dev dependencies or install scripts.
RUN npm ci --no-audit --no-fund --ignore-scripts --omit=dev --workspace "services/${SERVICE}"

FROM ${NODE_IMAGE}
ARG SERVICE
ENV NODE_ENV=production
WORKDIR /app
COPY --from=production-dependencies /app ./
COPY --from=build /src/deploy/images/grpc-health.mjs deploy/images/
WORKDIR /app/services/${SERVICE}
USER 1000:1000
EXPOSE 8080
# The tracing module loads first: it must patch @grpc/grpc-js before the service imports it.
# The V8 flags as `make up` runs them (packages/launcher/src/recipes.ts says why).
CMD ["node", "--max-semi-space-size=4", "--heap-growing-percent=100", "--import", "/app/packages/kit/dist/src/tracing-register.js", "dist/src/main.js"]
