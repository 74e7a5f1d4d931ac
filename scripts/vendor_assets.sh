#!/usr/bin/env bash
# Copy the front-end files the pages use from node_modules into gis_portal/static/vendor/
# (git-ignored), with their licences. Nothing is ever loaded from a CDN.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
V=$ROOT/gis_portal/static/vendor
rm -rf "$V"; mkdir -p "$V/ol"
cp "$ROOT/node_modules/ol/dist/ol.js" "$ROOT/node_modules/ol/dist/ol.js.map" "$ROOT/node_modules/ol/ol.css" "$ROOT/node_modules/ol/LICENSE.md" "$V/ol/"
# ol-mapbox-style: the base map's MapLibre style applied to OpenLayers (UMD build over the
# global ol of ol.js; docs/decisions/0008-base-map-style.md).
mkdir -p "$V/ol-mapbox-style"
cp "$ROOT/node_modules/ol-mapbox-style/dist/olms.js" "$ROOT/node_modules/ol-mapbox-style/dist/olms.js.map" "$ROOT/node_modules/ol-mapbox-style/LICENSE" "$V/ol-mapbox-style/"
# Noto Sans SC, regular and bold, as unicode-range subsets (a page loads only the subsets
# its labels use); woff2 only (every supported browser reads it), so the CSS drops the
# woff fallbacks.
F=$ROOT/node_modules/@fontsource/noto-sans-sc
mkdir -p "$V/noto-sans-sc/files"
for w in 400 700; do
  sed -E "s#, url\(\./files/[^)]*\.woff\) format\('woff'\)##" "$F/$w.css" > "$V/noto-sans-sc/$w.css"
  cp "$F"/files/noto-sans-sc-*-$w-normal.woff2 "$V/noto-sans-sc/files/"
done
cp "$F/LICENSE" "$V/noto-sans-sc/"
