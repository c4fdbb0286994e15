/*
 * mm_oauth copy buttons: a button with data-copy-target="ID" copies the text of
 * the element with that id (its value for inputs and textareas).
 *
 * The Clipboard API is used where the page may use it (a secure context with
 * permission); otherwise the text is selected and document.execCommand("copy")
 * tried, and failing that the selection is left for the user to copy by hand.
 * The button briefly shows data-copied-label or data-select-label, which the
 * templates translate. No framework needed.
 */
(function () {
  "use strict";

  var RESET_AFTER_MS = 2000;

  function textOf(element) {
    if (element.tagName === "INPUT" || element.tagName === "TEXTAREA") {
      return element.value;
    }
    return element.textContent.trim();
  }

  function select(element) {
    if (element.tagName === "INPUT" || element.tagName === "TEXTAREA") {
      element.focus();
      element.select();
      return;
    }
    var range = document.createRange();
    range.selectNodeContents(element);
    var selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
  }

  function flash(button, label) {
    if (!label) {
      return;
    }
    if (!button.hasAttribute("data-label")) {
      button.setAttribute("data-label", button.textContent);
    }
    button.textContent = label;
    button.setAttribute("data-copy-state", label === button.getAttribute("data-copied-label") ? "copied" : "selected");
    window.clearTimeout(button.mmOauthTimer);
    button.mmOauthTimer = window.setTimeout(function () {
      button.textContent = button.getAttribute("data-label");
      button.removeAttribute("data-copy-state");
    }, RESET_AFTER_MS);
  }

  function copyBySelection(button, element) {
    select(element);
    var copied = false;
    try {
      copied = document.execCommand("copy");
    } catch (error) {
      copied = false;
    }
    flash(button, button.getAttribute(copied ? "data-copied-label" : "data-select-label"));
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-copy-target]");
    if (!button) {
      return;
    }
    var element = document.getElementById(button.getAttribute("data-copy-target"));
    if (!element) {
      return;
    }
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(textOf(element)).then(
        function () {
          flash(button, button.getAttribute("data-copied-label"));
        },
        function () {
          copyBySelection(button, element);
        }
      );
    } else {
      copyBySelection(button, element);
    }
  });
})();
