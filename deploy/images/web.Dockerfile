# syntax=docker/dockerfile:1
# The storefront: the page built by Vite and the small static server (web/serve.mjs) that serves it
# with /config.json. Built for linux/amd64 and linux/arm64 by `docker buildx bake` (docker-bake.hcl).
ARG NODE_IMAGE=node:24.21.0-bookworm-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /src
COPY package.json package-lock.json tsconfig.base.json tsconfig.json buf.yaml ./
COPY gen gen
COPY packages packages
COPY services services
COPY tests/mesh/package.json tests/mesh/
COPY web web
RUN npm ci --no-audit --no-fund --ignore-scripts && npx tsc -b gen && npm run build -w web && \
    for dir in gen packages/* services/* tests/* web; do mkdir -p "/out/${dir}" && cp "${dir}/package.json" "/out/${dir}/"; done && \
    cp -r gen/dist /out/gen/

FROM ${NODE_IMAGE} AS production-dependencies
WORKDIR /app
COPY --from=build /src/package.json /src/package-lock.json ./
COPY --from=build /out ./
# The server's own dependencies (pino, sirv); the page is already bundled.
RUN npm ci --no-audit --no-fund --ignore-scripts --omit=dev --workspace web

FROM ${NODE_IMAGE}
ENV NODE_ENV=production
WORKDIR /app
COPY --from=production-dependencies /app ./
COPY --from=build /src/web/serve.mjs web/
COPY --from=build /src/web/dist web/dist
USER 1000:1000
EXPOSE 8080
CMD ["node", "--max-semi-space-size=4", "--heap-growing-percent=100", "web/serve.mjs"]
