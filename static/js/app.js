// Comfort only: every page works without this script.
(function () {
  "use strict";
  function fold(s) {
    return s.normalize("NFD").replace(/[\u0300-\u036f]/g, "").replace(/[đĐ]/g, "d").toLowerCase();
  }
  document.addEventListener("DOMContentLoaded", function () {
    // Move focus to the error summary so a keyboard or screen-reader user hears it first.
    var summary = document.querySelector("[data-autofocus]");
    if (summary) { summary.focus(); }
    // Print buttons on printable forms.
    document.querySelectorAll("[data-print]").forEach(function (b) {
      b.addEventListener("click", function () { window.print(); });
    });
    // Type-ahead: filter a list as the clerk types (accent-insensitive).
    document.querySelectorAll("[data-filter-list]").forEach(function (input) {
      var list = document.getElementById(input.getAttribute("data-filter-list"));
      if (!list) { return; }
      input.addEventListener("input", function () {
        var q = fold(input.value.trim());
        list.querySelectorAll("[data-search]").forEach(function (item) {
          item.hidden = q !== "" && item.getAttribute("data-search").indexOf(q) < 0;
        });
      });
      input.addEventListener("keydown", function (e) {
        if (e.key !== "Enter") { return; }
        var first = list.querySelector("[data-search]:not([hidden]) a");
        if (first) { e.preventDefault(); window.location.href = first.href; }
      });
    });
  });
})();
