/*
 * mm_oauth pages: small progressive enhancements, no framework.
 *
 * 1. An application icon (img.mm-oauth-icon) whose URL fails to load shows the
 *    default icon instead of a broken image. An app's icon URL is the app
 *    developer's to keep working; the people reading the page should not see
 *    it break. The default icon's URL comes from this script's
 *    data-fallback-icon attribute (the static file's URL, hashed or not).
 *    Loaded in <head> without defer, so the capturing "error" listener is in
 *    place before the page's images load; images that failed earlier are
 *    caught when the document is parsed.
 * 2. A textarea.mm-oauth-grow grows with its content where the browser lacks
 *    CSS field-sizing (the stylesheet does it elsewhere).
 */
(function () {
  "use strict";

  var script = document.currentScript;
  var fallback = script && script.getAttribute("data-fallback-icon");

  function isIcon(element) {
    return element && element.tagName === "IMG" && element.classList.contains("mm-oauth-icon");
  }

  function useFallback(img) {
    if (!fallback || img.getAttribute("src") === fallback) {
      return; // the default icon itself failed: leave it, rather than loop
    }
    img.setAttribute("src", fallback);
  }

  document.addEventListener(
    "error",
    function (event) {
      if (isIcon(event.target)) {
        useFallback(event.target);
      }
    },
    true
  );

  function fit(textarea) {
    textarea.style.height = "auto";
    textarea.style.height = textarea.scrollHeight + 2 + "px";
  }

  function enhance() {
    document.querySelectorAll("img.mm-oauth-icon").forEach(function (img) {
      if (img.complete && img.naturalWidth === 0 && img.getAttribute("src")) {
        useFallback(img);
      }
    });
    if (window.CSS && CSS.supports && CSS.supports("field-sizing", "content")) {
      return;
    }
    document.querySelectorAll("textarea.mm-oauth-grow").forEach(function (textarea) {
      fit(textarea);
      textarea.addEventListener("input", function () {
        fit(textarea);
      });
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", enhance);
  } else {
    enhance();
  }
})();
