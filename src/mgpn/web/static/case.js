// The case page's small behaviours (no inline script: the page's CSP allows only files).
// - "What would change it" links open the field's section, focus the field and mark it.
// - After each live assessment, the fields that decide the differential are offered
//   first in their section, and problems are shown at their fields.
(function () {
  "use strict";

  function fieldFor(path) {
    return document.getElementById("f-" + path.replace(/[^A-Za-z0-9_-]/g, "-"));
  }

  function openSectionOf(element) {
    var details = element.closest("details");
    while (details) {
      details.open = true;
      details = details.parentElement ? details.parentElement.closest("details") : null;
    }
  }

  function markDeciding() {
    document.querySelectorAll(".field.decides").forEach(function (el) {
      el.classList.remove("decides");
    });
    document.querySelectorAll("#assessment .would-change .field-link").forEach(function (link) {
      (link.dataset.fields || "").split(" ").forEach(function (path) {
        var input = path && fieldFor(path);
        var wrapper = input && input.closest(".field");
        if (wrapper) {
          wrapper.classList.add("decides");
        }
      });
    });
  }

  function markErrors() {
    document.querySelectorAll(".field-error.live").forEach(function (el) {
      var input = el.closest(".field").querySelector("[aria-invalid]");
      if (input) {
        input.removeAttribute("aria-invalid");
      }
      el.remove();
    });
    document.querySelectorAll("#assessment .issues li[data-path]").forEach(function (item) {
      var input = item.dataset.path && fieldFor(item.dataset.path);
      if (!input) {
        return;
      }
      var note = document.createElement("small");
      note.className = "field-error live";
      note.id = input.id + "-live-error";
      note.textContent = item.dataset.message || item.textContent;
      input.closest(".field").appendChild(note);
      input.setAttribute("aria-invalid", "true");
      input.setAttribute("aria-describedby", note.id);
      openSectionOf(input);
    });
  }

  document.addEventListener("click", function (event) {
    var link = event.target.closest ? event.target.closest(".field-link") : null;
    if (!link) {
      return;
    }
    var path = (link.dataset.fields || "").split(" ")[0];
    var input = path && fieldFor(path);
    if (!input) {
      return;
    }
    event.preventDefault();
    openSectionOf(input);
    input.scrollIntoView({ block: "center" });
    input.focus();
  });

  function refresh() {
    markDeciding();
    markErrors();
  }

  document.addEventListener("htmx:afterSwap", function (event) {
    if (event.target && event.target.id === "assessment") {
      refresh();
    }
  });
  document.addEventListener("DOMContentLoaded", refresh);
})();
