# syntax=docker/dockerfile:1
# Build: Rust on Debian bookworm. The reference data and migrations are compiled into the binary.
FROM rust:1.95-bookworm AS build
RUN apt-get update \
 && apt-get install -y --no-install-recommends libpq-dev \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
RUN cargo build --release --locked -p ormas-api \
 && install -m 0755 target/release/ormas-api /usr/local/bin/ormas-api

# Run: bookworm-slim with the PostgreSQL client library; SQLite is built in.
FROM debian:bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends libpq5 ca-certificates \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --system --gid 10001 ormas \
 && useradd --system --uid 10001 --gid ormas --home-dir /data --shell /usr/sbin/nologin ormas \
 && mkdir -p /data \
 && chown ormas:ormas /data
COPY --from=build /usr/local/bin/ormas-api /usr/local/bin/ormas-api
# SQLite lives in /data unless DATABASE_URL points at PostgreSQL.
ENV ORMAS_BIND=0.0.0.0:8080 \
    ORMAS_DATA_DIR=/data \
    RUST_LOG=info
VOLUME ["/data"]
WORKDIR /data
USER ormas:ormas
EXPOSE 8080
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 CMD ["ormas-api", "healthcheck"]
ENTRYPOINT ["ormas-api"]
CMD ["serve"]
