# annalist in a container: a static binary on a distroless, non-root base.
#   docker build -t annalist .
#   docker run -d --name annalist -p 127.0.0.1:8080:8080 \
#     -v annalist-archive:/var/lib/annalist \
#     -v "$PWD/feeds:/etc/annalist/feeds:ro" annalist
# Mount your own config.yaml on /etc/annalist/config.yaml (data_dir must
# stay /var/lib/annalist, web.listen 0.0.0.0:8080); reload with
# `docker kill --signal HUP annalist`.

FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
# dist/dist_test.go runs this same build line (pure Go SQLite: no cgo).
RUN CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o /out/annalist ./cmd/annalist
# The volume's mount point, owned by distroless's nonroot user (65532), so
# that a new named volume is writable by it.
RUN mkdir -p /out/state

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/annalist /usr/local/bin/annalist
COPY dist/config.container.yaml /etc/annalist/config.yaml
COPY --from=build --chown=65532:65532 /out/state /var/lib/annalist
# The archive (annalist.db + warc/) outlives the container.
VOLUME ["/var/lib/annalist"]
EXPOSE 8080
USER nonroot:nonroot
WORKDIR /var/lib/annalist
ENTRYPOINT ["/usr/local/bin/annalist", "--config", "/etc/annalist/config.yaml"]
CMD ["daemon", "--log-format", "json"]
