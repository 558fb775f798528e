# syntax=docker/dockerfile:1
# Any of the shop's Go services (services/<SERVICE>-go): `docker buildx bake` (docker-bake.hcl)
# builds one image per service with SERVICE set, for linux/amd64 and linux/arm64. The static binary
# runs alone on a small base as an unprivileged user, and checks its own health
# (`/service healthcheck`, what the Compose file's healthcheck runs).
ARG GO_IMAGE=golang:1.26.8-bookworm
ARG RUN_IMAGE=alpine:3.22.2

FROM ${GO_IMAGE} AS build
ARG SERVICE
WORKDIR /src
# The modules first: a change to the generated code alone reuses the downloaded modules.
COPY gen/go/go.mod gen/go/go.sum gen/go/
COPY services services
RUN test -n "${SERVICE}" && go mod download -C "services/${SERVICE}-go"
COPY gen/go/pb gen/go/pb
RUN CGO_ENABLED=0 GOFLAGS=-buildvcs=false go build -C "services/${SERVICE}-go" -trimpath -o /out/service .

FROM ${RUN_IMAGE}
COPY --from=build /out/service /service
USER 65532:65532
EXPOSE 8080
ENTRYPOINT ["/service"]
