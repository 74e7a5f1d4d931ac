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
    var map = new ol.Map({
      target: el,
      layers: o.layers || [],
      view: new ol.View(viewOptions),
      controls: ol.control.defaults.defaults({attribution: false}).extend([new ol.control.ScaleLine()]),
    });
    maps.push(map);
    return map;
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
  };
})();
