// Comfort only: every page works without this script.
(function () {
  "use strict";
  function fold(s) {
    return s.normalize("NFD").replace(/[\u0300-\u036f]/g, "").replace(/[đĐ]/g, "d").toLowerCase();
  }

  // --- Drafts: what is typed in a form is kept in this tab until the form
  // has been sent and answered, so an ended session loses nothing.
  var DRAFT = "motcua-draft:";
  function draftKey(form) {
    return DRAFT + location.pathname + location.search + "#" + (form.getAttribute("action") || "");
  }
  function fieldsOf(form) {
    return Array.prototype.filter.call(form.elements, function (el) {
      return el.name && el.name !== "csrf_token" && el.type !== "file" && el.type !== "hidden" &&
        el.type !== "submit" && el.type !== "button" && el.type !== "password";
    });
  }
  function saveDraft(form, pending) {
    var values = fieldsOf(form).map(function (el) {
      return [el.name, el.id, (el.type === "checkbox" || el.type === "radio") ? (el.checked ? el.value : null) : el.value];
    });
    try {
      sessionStorage.setItem(draftKey(form), JSON.stringify({
        values: values, pending: !!pending, at: Date.now(), user: document.body.getAttribute("data-user") || ""
      }));
    } catch (e) { /* storage full or off: nothing to keep */ }
  }
  function restoreDraft(form) {
    var raw = null;
    try { raw = sessionStorage.getItem(draftKey(form)); } catch (e) { return; }
    if (!raw) { return; }
    var draft;
    try { draft = JSON.parse(raw); } catch (e) { sessionStorage.removeItem(draftKey(form)); return; }
    // Back from the login page the end of a session led to.
    var fromLogin = document.referrer.indexOf("/login") >= 0 && document.referrer.indexOf("expired=1") >= 0;
    // A page sent back with errors already holds what was typed; a form sent
    // and answered is done with. Only a form cut off by a new sign-in, or a
    // page left before sending, is filled in again.
    // Another clerk signing in at the same screen never sees what was typed.
    var sameUser = draft.user === (document.body.getAttribute("data-user") || "");
    if (!sameUser || document.querySelector(".error-summary") || (draft.pending && !fromLogin) ||
        Date.now() - draft.at > 4 * 3600 * 1000) {
      sessionStorage.removeItem(draftKey(form));
      return;
    }
    var restored = 0;
    draft.values.forEach(function (v) {
      var el = v[1] ? document.getElementById(v[1]) : null;
      if (!el || el.form !== form) {
        el = form.querySelector("[name='" + v[0].replace(/'/g, "") + "']");
      }
      if (!el) { return; }
      if (el.type === "checkbox" || el.type === "radio") {
        var target = el.type === "radio" ? form.querySelector("input[type=radio][name='" + v[0].replace(/'/g, "") + "'][value='" + String(v[2]).replace(/'/g, "") + "']") : el;
        if (el.type === "checkbox") { el.checked = v[2] !== null; restored++; }
        else if (target && v[2] !== null) { target.checked = true; restored++; }
      } else if (v[2] !== null && v[2] !== "" && el.value !== v[2]) {
        el.value = v[2];
        restored++;
      }
    });
    if (restored > 0) {
      var note = document.createElement("div");
      note.className = "flash flash-info";
      note.setAttribute("role", "status");
      note.id = "draft-restored";
      note.textContent = "Đã điền lại dữ liệu đang nhập dở trước khi phiên làm việc hết hạn. Kiểm tra lại rồi gửi.";
      form.parentNode.insertBefore(note, form);
    }
    form.dispatchEvent(new Event("change"));
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
        if (e.key !== "Enter" || e.target.tagName === "TEXTAREA" || e.target.tagName === "BUTTON" ||
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
        block.hidden = !show;
      };
      form.addEventListener("change", update);
      update();
    });

    // Drafts of staff forms that change something (signed-in pages only).
    var idle = parseInt(document.body.getAttribute("data-idle-seconds") || "0", 10);
    if (idle <= 0) { return; }
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
        fieldsOf(f).length > 1;
    });
    forms.forEach(function (form) {
      restoreDraft(form);
      form.addEventListener("input", function () { saveDraft(form, false); });
      form.addEventListener("change", function () { saveDraft(form, false); });
      form.addEventListener("submit", function () { saveDraft(form, true); });
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
        forms.forEach(function (f) { saveDraft(f, false); });
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
