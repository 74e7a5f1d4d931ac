# The image of docker-compose's services: granian serving the portal (production settings);
# the same image runs the migrations and the siting worker.
FROM node:20-bookworm-slim AS frontend
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund

FROM python:3.11-slim-bookworm
RUN apt-get update \
 && apt-get install -y --no-install-recommends libgdal32 libgeos-c1v5 libproj25 proj-data postgresql-client \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY requirements.lock ./
RUN pip install --no-cache-dir -r requirements.lock
COPY . .
COPY --from=frontend /src/node_modules ./node_modules
RUN scripts/vendor_assets.sh && rm -rf node_modules \
 && DJANGO_SETTINGS_MODULE=gis_portal.settings.prod DJANGO_SECRET_KEY=collectstatic-only \
    DJANGO_ALLOWED_HOSTS=localhost DATABASE_URL=postgis://x@localhost/x MEDIA_ROOT=/var/lib/hegang/media \
    python manage.py collectstatic --no-input -v 0
ENV DJANGO_SETTINGS_MODULE=gis_portal.settings.prod
RUN mkdir -p /var/lib/hegang/media
EXPOSE 8000
# Migrations run once, in docker-compose's `migrate` service, not in every container.
CMD ["python", "-m", "gis_portal.serve", "--bind", "0.0.0.0:8000", "--workers", "2", "--threads", "2"]
