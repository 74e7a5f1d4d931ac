/* The shared map kernel of every portal page: window.HegangMap.

   - createMap(target, options): an OpenLayers map with no external tiles (the bureau's
     intranet is offline), starting on the city centre and zoom the server configured
     (settings.HEGANG_MAP_CENTRE_4490 / HEGANG_MAP_ZOOM, written by the base template into
     the one data-map-view attribute; see gis_portal/map_view.py).
   - request / getJSON / postJSON: the portal's JSON API with Chinese error messages (the
     API answers errors as {error, code, field?}); a 503 with Retry-After (every heavy-work
     slot taken) is asked again after that delay, at most 3 times.
   - statusLine(el): the page's status line (text, error state).
   - countyBackdrop(options): the county outlines from the areas API, under the page's data.
   - the base map: every map made by createMap draws, under the page's own layers, the
     project's vector tiles in the one style (/maps/style.json, applied by ol-mapbox-style,
     loaded on first use; ?layout=kiosk on the kiosk, its labels larger), with a legend
     read from that style, a metric scale bar and, for
     staff, the pointer's coordinates (CGCS2000). options.basemap === false leaves it out;
     basemap(map) returns its layer (layer.ready: a promise of the style). An intranet
     raster base layer is drawn under it when the server configures one (settings only).
   Page scripts are plain scripts loaded after this one; no modules, no build step. */
"use strict";
window.HegangMap = (function () {
  var geojson = new ol.format.GeoJSON({dataProjection: "EPSG:4326", featureProjection: "EPSG:3857"});
  var AREAS_URL = "/api/v1/areas";  // administrative areas as GeoJSON (README, API)
  var maps = [];  // every map made by createMap, for browser tests and the console

  // --- configuration ------------------------------------------------------------------
  // The attribute sits on <body> (portal pages) or on the admin widget's own element.
  function config(el) {
    var holder = (el && el.closest && el.closest("[data-map-view]")) || document.body;
    var raw = holder ? holder.dataset.mapView : "";
    if (!raw) { throw new Error("页面缺少地图配置（data-map-view），请联系系统管理员"); }
    return JSON.parse(raw);
  }

  // --- map factory --------------------------------------------------------------------
  // options: layers, zoom (a page that needs another start zoom), minZoom, maxZoom.
  function createMap(target, options) {
    var o = options || {};
    var el = typeof target === "string" ? document.getElementById(target) : target;
    var view = config(el);
    var viewOptions = {center: ol.proj.fromLonLat(view.centre), zoom: o.zoom != null ? o.zoom : view.zoom};
    if (o.minZoom != null) { viewOptions.minZoom = o.minZoom; }
    if (o.maxZoom != null) { viewOptions.maxZoom = o.maxZoom; }
    var controls = [new ol.control.ScaleLine({units: "metric"})];
    if (view.staff) { controls.push(pointerCoordinates()); }
    var map = new ol.Map({
      target: el,
      layers: o.layers || [],
      view: new ol.View(viewOptions),
      controls: ol.control.defaults.defaults({attribution: false}).extend(controls),
    });
    maps.push(map);
    if (o.basemap !== false && view.basemap) { addBasemap(map, view, o); }
    return map;
  }

  // --- base map, legend, pointer coordinates --------------------------------------------
  var loading = {};
  function loadScript(src) {
    if (!loading[src]) {
      loading[src] = new Promise(function (resolve, reject) {
        var el = document.createElement("script");
        el.src = src;
        el.onload = resolve;
        el.onerror = function () { reject(new Error("无法加载底图脚本，请刷新页面重试")); };
        document.head.appendChild(el);
      });
    }
    return loading[src];
  }
  function loadStylesheet(href) {
    if (!document.querySelector('link[href="' + href + '"]')) {
      var el = document.createElement("link");
      el.rel = "stylesheet";
      el.href = href;
      document.head.appendChild(el);
    }
  }

  // The pointer's position in CGCS2000 lon/lat (≈ WGS 84 at the cm level), for staff only.
  function pointerCoordinates() {
    return new ol.control.MousePosition({
      className: "map-pointer-coords",
      projection: "EPSG:4326",
      placeholder: "经度 —  纬度 —",
      coordinateFormat: function (c) {
        return "经度 " + c[0].toFixed(6) + "°  纬度 " + c[1].toFixed(6) + "°（CGCS2000）";
      },
    });
  }

  // The kiosk's labels are drawn larger (html[data-layout], static/portal/layout.js; the
  // sizes are the style's, gis_portal/maps/style.py LAYOUT_TEXT_SCALE).
  function styleParams() {
    return document.documentElement.dataset.layout === "kiosk" ? {layout: "kiosk"} : null;
  }

  function addBasemap(map, view, o) {
    loadStylesheet(view.assets.css);
    // Declutter: labels that would overlap are left out, the style's topmost first.
    var layer = new ol.layer.VectorTile({declutter: true, zIndex: -10, className: "ol-layer basemap"});
    layer.set("name", "basemap");
    map.getLayers().insertAt(0, layer);
    map.set("basemap", layer);
    var legend = o.legend === false ? null : legendControl(map);
    layer.ready = loadScript(view.assets.olms)
      .then(function () { return getJSON(view.basemap, styleParams()); })
      .then(function (style) {
        layer.set("style", style);
        var raster = style.sources["intranet-raster"];
        if (raster) {
          var base = new ol.layer.Tile({zIndex: -11, source: new ol.source.XYZ({
            urls: raster.tiles, maxZoom: raster.maxzoom, tileSize: raster.tileSize,
            attributions: raster.attribution, crossOrigin: null,
          })});
          base.set("name", "intranet-raster");
          map.getLayers().insertAt(0, base);
        } else {
          olms.applyBackground(layer, style);
        }
        return olms.applyStyle(layer, style, {source: "basemap"}).then(function () { return style; });
      })
      .then(function (style) {
        if (legend) { legend.show(style); }
        map.getTargetElement().dataset.basemap = "ready";
        return style;
      }, function (err) {
        map.getTargetElement().dataset.basemap = "failed";
        if (legend) { legend.fail(err.message || String(err)); }
        throw err;
      });
    layer.ready.catch(function () {});  // shown in the legend; the page's own layers still work
    return layer;
  }

  function basemap(map) { return map.get("basemap") || null; }

  // --- legend -------------------------------------------------------------------------
  // Built from the style's metadata["hegang:legend"] (written with the style's layers by the
  // server, gis_portal/maps/style.py): one entry per layer drawn, its classes beneath it;
  // entries not drawn at the current zoom are dimmed with the zoom they appear at.
  function legendControl(map) {
    var box = document.createElement("details");
    box.className = "map-legend ol-unselectable ol-control";
    // Open on a wide screen; a tap away on a phone and on the kiosk, where it would cover
    // a third of the map.
    var kiosk = document.documentElement.dataset.layout === "kiosk";
    box.open = !kiosk && (window.matchMedia ? !window.matchMedia("(max-width: 640px)").matches : true);
    var summary = document.createElement("summary");
    summary.textContent = "图例";
    box.appendChild(summary);
    var list = document.createElement("ul");
    box.appendChild(list);
    var control = new ol.control.Control({element: box});
    map.addControl(control);
    var sprite = null;

    function swatch(entry, colour, icon) {
      var s = document.createElement("span");
      s.className = "legend-swatch legend-" + entry.symbol;
      if (entry.symbol === "icon" && sprite && sprite.index[icon]) {
        var pos = sprite.index[icon];
        s.style.backgroundImage = "url(" + sprite.url + ")";
        s.style.backgroundPosition = (-pos.x) + "px " + (-pos.y) + "px";
        s.style.width = pos.width + "px";
        s.style.height = pos.height + "px";
      } else if (entry.symbol === "line") {
        s.style.borderTopColor = colour;
        if (entry.staff_only) { s.style.borderTopStyle = "dashed"; }
      } else {
        s.style.backgroundColor = colour;
        if (entry.symbol === "fill") { s.style.borderColor = colour; s.style.opacity = "0.7"; }
      }
      return s;
    }

    function render(style) {
      list.textContent = "";
      (style.metadata["hegang:legend"] || []).forEach(function (entry) {
        var li = document.createElement("li");
        li.dataset.layer = entry.layer;
        li.dataset.minZoom = entry.min_zoom;
        var row = document.createElement("span");
        row.className = "legend-row";
        row.appendChild(swatch(entry, entry.colour, entry.layer));
        var text = document.createElement("span");
        text.className = "legend-label";
        text.textContent = entry.label + (entry.staff_only ? "（内部）" : "");
        row.appendChild(text);
        var hint = document.createElement("span");
        hint.className = "legend-hint";
        hint.textContent = "放大至 " + entry.min_zoom + " 级显示";
        row.appendChild(hint);
        li.appendChild(row);
        if (entry.classes.length) {
          var sub = document.createElement("ul");
          entry.classes.forEach(function (c) {
            var item = document.createElement("li");
            item.appendChild(swatch(entry, c.colour, entry.layer + "-" + c.code));
            var t = document.createElement("span");
            t.textContent = c.label;
            item.appendChild(t);
            sub.appendChild(item);
          });
          li.appendChild(sub);
        }
        list.appendChild(li);
      });
      dim();
    }

    function dim() {
      var zoom = map.getView().getZoom();
      list.querySelectorAll(":scope > li").forEach(function (li) {
        li.classList.toggle("legend-hidden-at-zoom", zoom < Number(li.dataset.minZoom));
      });
    }
    map.on("moveend", dim);

    return {
      show: function (style) {
        var url = style.sprite;  // 1× symbols at their CSS size
        getJSON(url + ".json").then(function (index) {
          sprite = {index: index, url: url + ".png"};
          render(style);
        }, function () { render(style); });
        render(style);
      },
      fail: function (message) {
        list.textContent = "";
        var li = document.createElement("li");
        li.className = "legend-error";
        li.textContent = "底图加载失败：" + message;
        list.appendChild(li);
      },
    };
  }

  // --- JSON API -----------------------------------------------------------------------
  var MAX_RETRIES = 3;
  var MAX_RETRY_WAIT_S = 30;  // a longer wait is shown to the user instead of waited out
  var STATUS_TEXT = {
    400: "请求无效", 401: "请先登录", 403: "没有执行该操作的权限", 404: "未找到所请求的数据",
    405: "不支持该操作", 409: "与其他修改冲突", 412: "数据已被他人修改", 413: "提交的内容过大",
    428: "缺少版本信息", 429: "请求过于频繁，请稍后再试", 500: "服务器内部错误，请稍后重试",
    502: "服务器暂时无法访问，请稍后重试", 503: "服务器正忙，请稍后再试", 504: "服务器响应超时，请稍后重试",
  };

  // The message to show for an unsuccessful answer: the API's own Chinese text when it has one.
  function errorMessage(status, body) {
    if (body && typeof body === "object" && !Array.isArray(body)) {
      if (typeof body.error === "string" && body.error) { return body.error; }
      if (typeof body.message === "string" && body.message) { return body.message; }
      if (typeof body.detail === "string" && body.detail) { return body.detail; }
      // A DRF validation error is {field: ["message", …]}: its first message.
      var first = body[Object.keys(body)[0]];
      if (Array.isArray(first)) { first = first[0]; }
      if (typeof first === "string" && first) { return first; }
    }
    return (STATUS_TEXT[status] || "请求失败") + "（HTTP " + status + "）";
  }

  function apiError(message, res) {
    var err = new Error(message);
    err.status = res ? res.status : 0;
    err.body = res ? res.body : null;
    err.code = res && res.body ? res.body.code : undefined;
    err.field = res && res.body ? res.body.field : undefined;
    return err;
  }

  // Retry-After is seconds or an HTTP date; null when absent or unreadable.
  function retryAfterS(header) {
    if (!header) { return null; }
    if (/^\d+$/.test(header.trim())) { return Number(header); }
    var at = Date.parse(header);
    return isNaN(at) ? null : Math.max(0, Math.ceil((at - Date.now()) / 1000));
  }

  function withParams(url, params) {
    if (!params) { return url; }
    var query = new URLSearchParams();
    Object.keys(params).forEach(function (k) {
      var v = params[k];
      if (v !== "" && v !== null && v !== undefined) { query.set(k, v); }
    });
    var text = query.toString();
    return text ? url + (url.indexOf("?") >= 0 ? "&" : "?") + text : url;
  }

  function csrfToken() {
    var input = document.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function readBody(r) {
    return r.text().then(function (text) {
      if (!text) { return null; }
      try {
        return JSON.parse(text);
      } catch (e) {
        if (r.ok) { throw apiError("服务器返回了无法识别的内容（HTTP " + r.status + "）", {status: r.status}); }
        return null;  // an HTML error page from a proxy: the status says what happened
      }
    });
  }

  function attempt(url, init, retries, onRetry) {
    return fetch(url, init).then(function (r) {
      var waitS = r.status === 503 ? retryAfterS(r.headers.get("Retry-After")) : null;
      if (waitS !== null && retries < MAX_RETRIES && waitS <= MAX_RETRY_WAIT_S) {
        if (onRetry) { onRetry(waitS, retries + 1); }
        return new Promise(function (resolve) { setTimeout(resolve, waitS * 1000); })
          .then(function () { return attempt(url, init, retries + 1, onRetry); });
      }
      return readBody(r).then(function (body) {
        var res = {ok: r.ok, status: r.status, body: body, headers: r.headers};
        if (!r.ok) { res.error = errorMessage(r.status, body); }
        return res;
      });
    }, function () {
      throw apiError("无法连接服务器，请检查网络后重试");
    });
  }

  // Resolve with {ok, status, body, headers, error?} for any HTTP answer (the caller reads
  // 409/412 bodies and ETags); reject only when the server cannot be reached.
  // options: method, params, json (a body sent as JSON), body (FormData …), headers, csrf,
  // onRetry(waitS, attempt) to tell the user the page is waiting.
  function request(url, options) {
    var o = options || {};
    var init = {method: o.method || "GET", credentials: "same-origin", headers: Object.assign({}, o.headers)};
    if (o.json !== undefined) {
      init.headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(o.json);
    } else if (o.body !== undefined) {
      init.body = o.body;
    }
    if (init.method !== "GET" && init.method !== "HEAD") { init.headers["X-CSRFToken"] = o.csrf || csrfToken(); }
    return attempt(withParams(url, o.params), init, 0, o.onRetry);
  }

  function bodyOrThrow(res) {
    if (!res.ok) { throw apiError(res.error, res); }
    return res.body;
  }

  // The answer's body; an unsuccessful answer rejects with an Error carrying its Chinese
  // message and .status, .code, .field, .body.
  function getJSON(url, params, options) {
    return request(url, Object.assign({}, options, {params: params})).then(bodyOrThrow);
  }
  function postJSON(url, data, options) {
    return request(url, Object.assign({}, options, {method: "POST", json: data || {}})).then(bodyOrThrow);
  }

  // --- status line --------------------------------------------------------------------
  // Return set(text, isError) for the element (or its id).
  function statusLine(target) {
    var el = typeof target === "string" ? document.getElementById(target) : target;
    return function (text, isError) {
      el.textContent = text;
      el.classList.toggle("error", !!isError);
    };
  }

  // --- vector layers of this portal's GeoJSON ------------------------------------------
  // An empty vector layer named ``name`` (what loadInto and the pages' counts refer to).
  function featureLayer(name, style, zIndex) {
    var layer = new ol.layer.Vector({source: new ol.source.Vector(), style: style, zIndex: zIndex});
    layer.set("name", name);
    return layer;
  }
  // Fetch a GeoJSON collection into the layer (features without a geometry are left out);
  // a promise of how many were added.
  function loadInto(layer, url, params) {
    return getJSON(url, params).then(function (data) {
      var drawn = (data.features || []).filter(function (f) { return f.geometry; });
      var features = geojson.readFeatures({type: "FeatureCollection", features: drawn});
      layer.getSource().addFeatures(features);
      return features.length;
    });
  }

  // --- county backdrop ----------------------------------------------------------------
  var BACKDROP_STYLE = new ol.style.Style({
    stroke: new ol.style.Stroke({color: "#2f5d8a", width: 1}),
    fill: new ol.style.Fill({color: "rgba(120,160,200,0.12)"}),
  });
  // A vector layer of the county outlines (areas API, level=county). layer.loaded is a
  // promise of the number of counties drawn; the page says what a failure means for it.
  // options: style, zIndex.
  function countyBackdrop(options) {
    var o = options || {};
    var source = new ol.source.Vector();
    var layer = new ol.layer.Vector({source: source, style: o.style || BACKDROP_STYLE, zIndex: o.zIndex});
    layer.set("name", "counties");
    layer.set("level", "county");
    layer.loaded = getJSON(AREAS_URL, {level: "county", has_geometry: "true"}).then(function (data) {
      source.addFeatures(geojson.readFeatures(data));
      return source.getFeatures().length;
    });
    return layer;
  }

  return {
    geojson: geojson,
    AREAS_URL: AREAS_URL,
    maps: maps,
    config: config,
    createMap: createMap,
    request: request,
    getJSON: getJSON,
    postJSON: postJSON,
    statusLine: statusLine,
    countyBackdrop: countyBackdrop,
    featureLayer: featureLayer,
    loadInto: loadInto,
    basemap: basemap,
  };
})();
