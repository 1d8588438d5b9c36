// Badge class form: shows only the image option chosen, and keeps the designer preview in step
// with the fields. Without this script both options stay visible and the "Update preview"
// button refreshes the preview through the server.
(function () {
  "use strict";

  function ready(callback) {
    if (document.readyState === "loading") {
      document.addEventListener("DOMContentLoaded", callback);
    } else {
      callback();
    }
  }

  ready(function () {
    var form = document.querySelector(".badge-form");
    if (!form) {
      return;
    }
    var sources = form.querySelectorAll('input[name="image_source"]');
    var options = form.querySelectorAll("[data-image-option]");

    function showChosenOption() {
      var chosen = form.querySelector('input[name="image_source"]:checked');
      options.forEach(function (option) {
        option.hidden = !chosen || option.getAttribute("data-image-option") !== chosen.value;
      });
    }
    sources.forEach(function (source) {
      source.addEventListener("change", showChosenOption);
    });
    showChosenOption();

    // The framework name is only asked for when the alignment is not to ESCO.
    form.querySelectorAll('select[name$="-framework"]').forEach(function (select) {
      var input = form.elements.namedItem(select.name + "_name");
      var wrapper = input && input.closest("div");
      if (!wrapper) {
        return;
      }
      wrapper.setAttribute("data-framework-name", "");
      function toggle() {
        wrapper.hidden = select.value === "ESCO" && !input.value;
      }
      select.addEventListener("change", toggle);
      toggle();
    });

    var preview = document.getElementById("designer-preview");
    if (!preview) {
      return;
    }
    var names = ["shape", "icon", "primary", "secondary", "line1", "line2"];
    var button = form.querySelector("[data-preview-button]");
    if (button) {
      // Removed, not hidden: Enter in a field must submit with the main button, not this one.
      button.remove();
    }
    var timer = null;

    function refresh() {
      var query = new URLSearchParams();
      names.forEach(function (name) {
        var field = form.elements.namedItem(name);
        if (field) {
          query.set(name, field.value);
        }
      });
      preview.src = preview.getAttribute("data-preview-url") + "?" + query.toString();
    }
    names.forEach(function (name) {
      var field = form.elements.namedItem(name);
      if (!field) {
        return;
      }
      field.addEventListener("input", function () {
        window.clearTimeout(timer);
        timer = window.setTimeout(refresh, 250);
      });
      field.addEventListener("change", refresh);
    });
  });
})();
