/* The page layout: desktop, phone or the portrait touch-screen kiosk (html[data-layout]).

   Loaded in <head> by the base template, so the layout is set before the first paint.
   The kiosk layout is chosen by the screen's shape — portrait and at least KIOSK_MIN_WIDTH_PX
   wide (a 1080×1920 kiosk; a phone or a portrait tablet is narrower) — or by ?kiosk=1 (the
   server then renders data-kiosk="1" and the kiosk's links only); ?kiosk=0 never is; and
   only on a page that declares itself a kiosk page (data-kiosk-page: the public lookups).
   The phone layout (≤ 700 px) is CSS media queries; its 菜单 button is wired here.
   On the kiosk: 返回 goes back, 清除 and an idle timeout (data-kiosk-idle-s) go back to the
   start view, the page the kiosk was started on, so the next citizen sees a clean screen.
   window.HegangLayout.reveal(el) brings a tap's answer into view on a phone or kiosk. */
"use strict";
(function () {
  var root = document.documentElement;
  var KIOSK_MIN_WIDTH_PX = 1000;
  var kioskQuery = window.matchMedia("(orientation: portrait) and (min-width: " + KIOSK_MIN_WIDTH_PX + "px)");
  var phoneQuery = window.matchMedia("(max-width: 700px)");
  var param = new URLSearchParams(window.location.search).get("kiosk");
  // Only the public lookup pages (data-kiosk-page) take the kiosk layout: a staff page on
  // a portrait screen stays a desktop page (no idle reset of an officer's work).
  var kioskPage = root.dataset.kioskPage === "1";
  var forced = kioskPage && (root.dataset.kiosk === "1" || param === "1");

  function decide() {
    var kiosk = forced || (kioskPage && param !== "0" && kioskQuery.matches);
    root.dataset.layout = kiosk ? "kiosk" : phoneQuery.matches ? "phone" : "desktop";
  }
  decide();
  [kioskQuery, phoneQuery].forEach(function (q) { q.addEventListener("change", decide); });

  function isKiosk() { return root.dataset.layout === "kiosk"; }

  // The kiosk's start view: the page it was first opened on in this browser tab.
  var START_KEY = "hegang.kiosk.start";
  function startView() {
    var saved = null;
    try { saved = window.sessionStorage.getItem(START_KEY); } catch (e) { saved = null; }
    return saved || window.location.pathname + (forced ? "?kiosk=1" : "");
  }
  function rememberStart() {
    try {
      if (!window.sessionStorage.getItem(START_KEY)) {
        window.sessionStorage.setItem(START_KEY, window.location.pathname + (forced ? "?kiosk=1" : ""));
      }
    } catch (e) { /* private mode: the current page is the start view */ }
  }
  function goToStart() { window.location.assign(startView()); }

  function reveal(el) {
    if (!el || root.dataset.layout === "desktop") { return; }
    el.scrollIntoView({block: "start", inline: "nearest"});
  }

  var idleTimer = null;
  var touched = false;  // nothing to reset on an untouched start view
  function idleReset() {
    var here = window.location.pathname + window.location.search;
    if (touched || here !== startView()) { goToStart(); }
  }
  function armIdle() {
    clearTimeout(idleTimer);
    if (!isKiosk()) { return; }
    var seconds = Number(root.dataset.kioskIdleS) || 90;
    idleTimer = setTimeout(idleReset, seconds * 1000);
  }

  document.addEventListener("DOMContentLoaded", function () {
    var menu = document.getElementById("menu-button");
    var nav = document.getElementById("site-nav");
    if (menu && nav) {
      menu.addEventListener("click", function () {
        var open = !nav.classList.contains("open");
        nav.classList.toggle("open", open);
        menu.setAttribute("aria-expanded", String(open));
      });
      document.addEventListener("keydown", function (e) {
        if (e.key === "Escape" && nav.classList.contains("open")) {
          nav.classList.remove("open");
          menu.setAttribute("aria-expanded", "false");
          menu.focus();
        }
      });
    }
    var back = document.getElementById("kiosk-back");
    var clear = document.getElementById("kiosk-clear");
    if (back) {
      back.addEventListener("click", function () {
        if (window.history.length > 1) { window.history.back(); } else { goToStart(); }
      });
    }
    if (clear) { clear.addEventListener("click", goToStart); }
    if (isKiosk()) { rememberStart(); }
    ["pointerdown", "keydown", "wheel", "input"].forEach(function (name) {
      document.addEventListener(name, function () { touched = true; armIdle(); }, {capture: true, passive: true});
    });
    armIdle();
  });

  window.HegangLayout = {isKiosk: isKiosk, reveal: reveal, goToStart: goToStart};
})();
