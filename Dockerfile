# minpriv in a container: the static (musl) binary on an empty image.
#
#   docker build -t minpriv .                      # from source (this stage order)
#   docker run --rm -v "$PWD:/src" minpriv check   # lint the project in $PWD
#
# The release workflow (.github/workflows/release.yml) builds the `prebuilt`
# stage instead, from the static binaries it built for the wheels, one per
# platform in dist/<arch>/minpriv.

# ---- from source: Alpine's Rust targets musl and links statically ----
FROM rust:1.88-alpine AS build
RUN apk add --no-cache musl-dev git
WORKDIR /build
COPY . .
ARG MINPRIV_COMMIT=""
RUN cargo build --release --locked \
    && cp target/release/minpriv /minpriv \
    && /minpriv --version

# ---- the release image, from a prebuilt static binary ----
FROM scratch AS prebuilt
ARG TARGETARCH
COPY dist/${TARGETARCH}/minpriv /usr/local/bin/minpriv
ENV PATH=/usr/local/bin
WORKDIR /src
ENTRYPOINT ["minpriv"]
CMD ["check"]

# ---- the default image, from the build above ----
FROM scratch
COPY --from=build /minpriv /usr/local/bin/minpriv
ENV PATH=/usr/local/bin
WORKDIR /src
ENTRYPOINT ["minpriv"]
CMD ["check"]
