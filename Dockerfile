# One image for every service and the gateway; compose picks the command.
FROM python:3.11-slim AS build
WORKDIR /src
COPY pyproject.toml README.md ./
COPY kernel kernel
COPY services services
COPY gateway gateway
COPY suite suite
COPY bench bench
RUN pip install --no-cache-dir --prefix=/install .

FROM python:3.11-slim
ENV PYTHONUNBUFFERED=1 PYTHONDONTWRITEBYTECODE=1
RUN useradd --system --uid 10001 --home /app youwei
COPY --from=build /install /usr/local
WORKDIR /app
COPY alembic.ini ./
COPY migrations migrations
# The gateway keeps import jobs (uploads, state, reports) here; compose mounts a volume on it.
RUN mkdir -p /app/var/imports && chown -R youwei /app/var
USER youwei
EXPOSE 8000 8001 8002 8003 8004
CMD ["youwei", "--help"]
