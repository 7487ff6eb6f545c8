// Comfort only: every page works without this script.
(function () {
  "use strict";
  function fold(s) {
    return s.normalize("NFD").replace(/[\u0300-\u036f]/g, "").replace(/[đĐ]/g, "d").toLowerCase();
  }

  // --- Drafts: what is typed in a staff form is kept in this tab, and
  // filled in again only when the clerk comes back after the session ended
  // (never for another user, never on a later visit).
  var DRAFT = "motcua-draft:";
  var EXPIRED = "motcua-session-ended";
  function draftKey(form) {
    // Where the form posts and which action it is: the same on the page and
    // on that page re-rendered after an error.
    var action = form.querySelector("input[type=hidden][name=action]");
    return DRAFT + (form.getAttribute("action") || location.pathname) + "#" + (action ? action.value : "");
  }
  function fieldsOf(form) {
    return Array.prototype.filter.call(form.elements, function (el) {
      return el.name && el.name !== "csrf_token" && el.type !== "file" && el.type !== "hidden" &&
        el.type !== "submit" && el.type !== "button" && el.type !== "password";
    });
  }
  function saveDraft(form) {
    var values = fieldsOf(form).map(function (el) {
      var box = el.type === "checkbox" || el.type === "radio";
      return { name: el.name, value: el.value, checked: box ? el.checked : null };
    });
    try {
      sessionStorage.setItem(draftKey(form), JSON.stringify({
        values: values, at: Date.now(), user: document.body.getAttribute("data-user") || ""
      }));
    } catch (e) { /* storage full or off: nothing to keep */ }
  }
  function restoreDraft(form, sessionEnded) {
    var key = draftKey(form);
    var raw = null;
    try { raw = sessionStorage.getItem(key); } catch (e) { return; }
    if (!raw) { return; }
    sessionStorage.removeItem(key);
    var draft;
    try { draft = JSON.parse(raw); } catch (e) { return; }
    var sameUser = draft.user === (document.body.getAttribute("data-user") || "");
    if (!sessionEnded || !sameUser || document.querySelector(".error-summary") ||
        Date.now() - draft.at > 4 * 3600 * 1000) {
      return;
    }
    var changed = 0;
    var byName = function (name) {
      return Array.prototype.filter.call(form.elements, function (el) { return el.name === name; });
    };
    draft.values.forEach(function (v) {
      var same = byName(v.name);
      if (v.checked !== null) {
        same.forEach(function (el) {
          if (el.value === v.value && el.checked !== v.checked) { el.checked = v.checked; changed++; }
        });
      } else {
        var el = same.filter(function (e) { return e.type !== "checkbox" && e.type !== "radio"; })[0];
        if (el && v.value !== "" && el.value !== v.value) { el.value = v.value; changed++; }
      }
    });
    if (changed > 0) {
      var note = document.createElement("div");
      note.className = "flash flash-info";
      note.setAttribute("role", "status");
      note.id = "draft-restored";
      note.textContent = "Đã điền lại dữ liệu đang nhập dở trước khi phiên làm việc hết hạn. Kiểm tra lại rồi gửi.";
      form.parentNode.insertBefore(note, form);
      form.dispatchEvent(new Event("change"));
    }
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

    // Enter in a field of a panel sends the panel's own action, not the
    // form's first button.
    document.querySelectorAll("[data-enter-button]").forEach(function (panel) {
      panel.addEventListener("keydown", function (e) {
        if (e.key !== "Enter" || e.isComposing || e.target.tagName === "TEXTAREA" || e.target.tagName === "BUTTON" ||
            e.target.tagName === "SUMMARY") { return; }
        var button = document.getElementById(panel.getAttribute("data-enter-button"));
        if (button) { e.preventDefault(); button.click(); }
      });
    });

    // Fields that matter for one choice only show with it.
    document.querySelectorAll("[data-shown-when]").forEach(function (block) {
      var rule = block.getAttribute("data-shown-when").split("=");
      var form = block.closest("form");
      if (!form) { return; }
      var update = function () {
        var chosen = form.querySelector("input[name='" + rule[0] + "']:checked");
        var show = chosen ? chosen.value === rule[1] : false;
        // Fields holding an error or a value stay visible.
        if (block.querySelector(".field-error")) { show = true; }
        Array.prototype.forEach.call(block.querySelectorAll("input[type=text], textarea"), function (i) {
          if (i.value.trim() !== "") { show = true; }
        });
        block.hidden = !show;
      };
      form.addEventListener("change", update);
      update();
    });

    // The login page an ended session led to: the next signed-in page may
    // fill its forms in again.
    if (location.pathname === "/login" && /[?&]expired=1/.test(location.search)) {
      try { sessionStorage.setItem(EXPIRED, "1"); } catch (e) { /* nothing kept */ }
    }
    // Drafts of staff forms that change something (signed-in pages only).
    var idle = parseInt(document.body.getAttribute("data-idle-seconds") || "0", 10);
    if (idle <= 0) { return; }
    var sessionEnded = false;
    try {
      sessionEnded = sessionStorage.getItem(EXPIRED) === "1";
      sessionStorage.removeItem(EXPIRED);
    } catch (e) { /* nothing kept */ }
    // Signing out forgets every draft of this tab.
    document.querySelectorAll("form[action='/logout']").forEach(function (f) {
      f.addEventListener("submit", function () {
        try {
          Object.keys(sessionStorage).forEach(function (k) {
            if (k.indexOf(DRAFT) === 0) { sessionStorage.removeItem(k); }
          });
        } catch (e) { /* nothing kept */ }
      });
    });
    var forms = Array.prototype.filter.call(document.querySelectorAll("form[method=post]"), function (f) {
      return !f.closest(".user-box") && !f.classList.contains("header-search") && !f.hasAttribute("data-no-draft") &&
        fieldsOf(f).length > 0;
    });
    forms.forEach(function (form) {
      restoreDraft(form, sessionEnded);
      form.addEventListener("input", function () { saveDraft(form); });
      form.addEventListener("change", function () { saveDraft(form); });
      form.addEventListener("submit", function () { saveDraft(form); });
    });

    // The session's countdown: a warning five minutes before it ends; typing
    // keeps it alive; at the end, the login page, then back here.
    var warning = document.getElementById("session-warning");
    var left = document.getElementById("session-left");
    var keep = document.getElementById("session-keep");
    var deadline = Date.now() + idle * 1000;
    var lastPing = Date.now();
    function ping() {
      lastPing = Date.now();
      fetch("/phien/gia-han", { credentials: "same-origin", cache: "no-store", redirect: "manual" })
        .then(function (r) {
          if (r.status === 204) {
            deadline = Date.now() + idle * 1000;
            if (warning) { warning.hidden = true; }
          }
        })
        .catch(function () { /* offline: the countdown goes on */ });
    }
    document.addEventListener("input", function () {
      if (Date.now() - lastPing > Math.min(120, idle / 3) * 1000 && Date.now() < deadline) { ping(); }
    });
    if (keep) { keep.addEventListener("click", ping); }
    var warnAt = Math.min(300, Math.floor(idle / 3));
    setInterval(function () {
      var s = Math.round((deadline - Date.now()) / 1000);
      if (s <= -2) {
        location.href = "/login?expired=1&next=" + encodeURIComponent(location.pathname + location.search);
        return;
      }
      if (warning && s <= warnAt) {
        warning.hidden = false;
        if (left) { left.textContent = Math.floor(s / 60) + ":" + ("0" + (s % 60)).slice(-2); }
      }
    }, 1000);
  });
})();
