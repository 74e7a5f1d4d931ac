#!/usr/bin/env bash
# Copy the front-end files the pages use from node_modules into gis_portal/static/vendor/
# (git-ignored), with their licences. Nothing is ever loaded from a CDN.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
V=$ROOT/gis_portal/static/vendor
rm -rf "$V"; mkdir -p "$V/ol"
cp "$ROOT/node_modules/ol/dist/ol.js" "$ROOT/node_modules/ol/dist/ol.js.map" "$ROOT/node_modules/ol/ol.css" "$ROOT/node_modules/ol/LICENSE.md" "$V/ol/"
