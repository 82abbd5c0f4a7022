# The bot's image: one image for both processes. The default command is the web process
# (scripts/web: gunicorn on $PORT); run the worker with the command `ocrbot worker`.
#
# Debian bookworm with Debian's own Python 3.11, so that scripts/rootfs-check can build the
# same root filesystem from Debian's packages and run these steps without Docker
# (docs/deploy.md). Every Python dependency is a binary wheel: no compiler is ever installed.
FROM debian:bookworm-slim

ENV DEBIAN_FRONTEND=noninteractive \
    LANG=C.UTF-8 \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PATH=/opt/venv/bin:$PATH

RUN apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates python3 python3-venv \
    && rm -rf /var/lib/apt/lists/* \
    && groupadd --system --gid 10001 ocrbot \
    && useradd --system --no-log-init --uid 10001 --gid 10001 --create-home \
        --home-dir /home/ocrbot --shell /usr/sbin/nologin ocrbot

WORKDIR /app

# Dependencies before code: this layer is rebuilt only when requirements.txt changes.
# requirements.txt ends with the project itself ("."), installed below once the code is here.
COPY requirements.txt ./
RUN python3 -m venv /opt/venv \
    && grep -vx '[.]' requirements.txt > /tmp/dependencies.txt \
    && pip install --only-binary=:all: -r /tmp/dependencies.txt \
    && rm /tmp/dependencies.txt

COPY pyproject.toml README.md worker.py ./
COPY bot ./bot
COPY handlers ./handlers
COPY scripts/web ./scripts/web
# The project (the `ocrbot` command), then the OCR models loaded once: they come in the rapidocr
# wheel, so a build that would have to download them fails here, not at run time.
RUN pip install --no-deps . \
    && rm -rf build ./*.egg-info \
    && python -c "from bot.ocr.local import load_models; load_models()"

USER 10001:10001
ENV PORT=8000
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python3", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/healthz' % os.environ.get('PORT', '8000'), timeout=4)"]
CMD ["scripts/web"]
