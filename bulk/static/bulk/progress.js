// Polls the progress fragment of a bulk award job every second and swaps it in, until the
// job has finished. Without JavaScript, reloading the page shows the same information.
(function () {
  "use strict";
  var box = document.getElementById("bulk-progress");
  if (!box || !box.dataset.url) {
    return;
  }
  function finished() {
    var state = box.querySelector("[data-finished]");
    return state !== null && state.dataset.finished === "true";
  }
  function poll() {
    fetch(box.dataset.url, { credentials: "same-origin", cache: "no-store" })
      .then(function (response) {
        if (!response.ok) {
          throw new Error("HTTP " + response.status);
        }
        return response.text();
      })
      .then(function (html) {
        box.innerHTML = html;
        if (!finished()) {
          window.setTimeout(poll, 1000);
        }
      })
      .catch(function () {
        // A restarting server or a dropped connection: try again a little later.
        window.setTimeout(poll, 5000);
      });
  }
  if (!finished()) {
    window.setTimeout(poll, 1000);
  }
})();
