# MOL Portal production image: gunicorn serving mol_portal.wsgi on port 8000.
# The same image runs the Celery worker and beat (see docker-compose.yml). gunicorn takes its
# worker count from WEB_CONCURRENCY (default 1). Code is root-owned: the app user cannot change it.

# --- build: compile what has no wheel (python-ldap) into a virtualenv ----------------------
FROM python:3.11-slim-bookworm AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
RUN apt-get update \
    && apt-get install -y --no-install-recommends build-essential libldap2-dev libsasl2-dev \
    && rm -rf /var/lib/apt/lists/*
RUN python -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH
WORKDIR /src
COPY pyproject.toml requirements.lock ./
# The ldap extra (django-auth-ldap, python-ldap) is compiled here against libldap.
RUN pip install -c requirements.lock ".[ldap]"

# --- runtime ---------------------------------------------------------------------------------
FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PATH=/opt/venv/bin:$PATH \
    DJANGO_SETTINGS_MODULE=mol_portal.settings \
    DATA_DIR=/data \
    STATIC_ROOT=/app/staticfiles \
    STATIC_MANIFEST=1
# LDAP/SASL runtime libraries for python-ldap; pango + harfbuzz-subset for WeasyPrint PDFs;
# Noto CJK so Chinese text renders (not as boxes) in generated PDFs.
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libldap-2.5-0 libsasl2-2 \
        libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-noto-cjk \
        gnupg postgresql-client \
    && rm -rf /var/lib/apt/lists/*
RUN useradd --system --uid 10001 --user-group --home-dir /app --shell /usr/sbin/nologin mol \
    && mkdir -p /data/media /data/static && chown -R mol:mol /data
COPY --from=build /opt/venv /opt/venv
WORKDIR /app
COPY . .
# Hashed, compressed static files for WhiteNoise. Embedded settings are enough for this step;
# its throwaway data folder (and the secret key generated there) is not kept in the image.
RUN DATA_DIR=/tmp/build-data python manage.py collectstatic --noinput -v 0 \
    && rm -rf /tmp/build-data
USER mol
# /data/media and /data/static are volumes of their own in docker-compose.yml (the proxy reads
# them); created here so that new volumes start owned by the app user.
VOLUME ["/data"]
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=15s --start-period=60s --retries=3 \
    CMD ["python", "/app/docker/healthcheck.py"]
CMD ["gunicorn", "mol_portal.wsgi:application", "--bind", "0.0.0.0:8000", \
     "--access-logfile", "-", "--timeout", "60"]
