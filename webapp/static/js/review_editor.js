// The proposal editor's live preview: after a pause in typing, the Markdown goes to the server's
// safe renderer (POST /review/preview) and the answer replaces the preview. The server renders,
// never the browser, so the preview is exactly what the published page will show.
// Markup: <textarea data-preview-url="…" data-preview-target="preview-id"> inside a form that
// carries the CSRF token (hidden input "csrf_token").
(function () {
  "use strict";

  var PAUSE_MS = 300;

  function wire(textarea) {
    var target = document.getElementById(textarea.dataset.previewTarget);
    var form = textarea.form;
    if (!target || !form) {
      return;
    }
    var timer = null;
    var inFlight = null;
    var status = document.getElementById(textarea.dataset.previewStatus || "");

    function say(text) {
      if (status) {
        status.textContent = text;
      }
    }

    function refresh() {
      var token = form.querySelector("input[name='csrf_token']");
      var data = new FormData();
      data.append("csrf_token", token ? token.value : "");
      data.append("body", textarea.value);
      if (inFlight) {
        inFlight.abort(); // only the newest text matters
      }
      inFlight = new AbortController();
      say("Updating preview…");
      fetch(textarea.dataset.previewUrl, {
        method: "POST",
        body: data,
        credentials: "same-origin",
        headers: { "X-CSRFToken": token ? token.value : "" },
        signal: inFlight.signal,
      })
        .then(function (response) {
          return response.text().then(function (html) {
            // The fragment comes from the server's safe Markdown renderer (raw HTML off,
            // link schemes allow-listed), and the page's CSP forbids inline script.
            target.innerHTML = html;
            target.dataset.previewState = response.ok ? "fresh" : "error";
            say(response.ok ? "Preview up to date." : "The preview could not be updated.");
          });
        })
        .catch(function (error) {
          if (error.name !== "AbortError") {
            target.dataset.previewState = "error";
            say("The preview could not be updated: " + error.message);
          }
        });
    }

    textarea.addEventListener("input", function () {
      window.clearTimeout(timer);
      target.dataset.previewState = "stale";
      timer = window.setTimeout(refresh, PAUSE_MS);
    });
  }

  document.querySelectorAll("textarea[data-preview-url]").forEach(wire);
})();
