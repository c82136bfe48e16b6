# revintel: a wheel-based, non-root image.  docker build -t revintel . && docker run -p 8000:8000 revintel
# Stage 1 builds the wheel; stage 2 installs the locked dependencies, then the wheel without resolving again.
FROM python:3.11-slim AS build
WORKDIR /src
COPY pyproject.toml README.md ./
COPY src ./src
RUN pip install --no-cache-dir build==1.* && python -m build --wheel --outdir /wheels .

FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 OMP_WAIT_POLICY=passive \
    REVINTEL_HOME=/data HOST=0.0.0.0 PORT=8000
RUN useradd --create-home --uid 10001 --shell /usr/sbin/nologin revintel \
    && mkdir -p /data && chown revintel:revintel /data
COPY requirements.lock /tmp/requirements.lock
RUN pip install --no-cache-dir -r /tmp/requirements.lock
COPY --from=build /wheels /wheels
RUN pip install --no-cache-dir --no-deps /wheels/*.whl && rm -rf /wheels /tmp/requirements.lock
USER revintel
VOLUME ["/data"]
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
  CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/api/health', timeout=4)"
CMD ["revintel", "serve"]
