// Small behaviours, no inline handlers (the Content-Security-Policy forbids them).
(function () {
  "use strict";

  function autosubmit(event) {
    var select = event.target;
    if (!select.matches || !select.matches("select[data-autosubmit]")) return;
    var form = select.form;
    if (!form) return;
    if (form.hasAttribute("hx-post") && window.htmx) {
      window.htmx.trigger(form, "submit");
    } else {
      form.requestSubmit ? form.requestSubmit() : form.submit();
    }
  }

  function confirmAction(event) {
    var button = event.target.closest ? event.target.closest("[data-confirm]") : null;
    if (button && !window.confirm(button.getAttribute("data-confirm"))) {
      event.preventDefault();
      event.stopPropagation();
    }
  }

  document.addEventListener("change", autosubmit);
  document.addEventListener("click", confirmAction, true);
})();

// Imports (core/imports): a button stays disabled until the checkbox it names is ticked
// (data-enabled-by="checkbox id"), e.g. "import the good rows and skip the bad ones".
(function () {
  "use strict";

  function syncEnabledBy() {
    var buttons = document.querySelectorAll("[data-enabled-by]");
    for (var i = 0; i < buttons.length; i++) {
      var box = document.getElementById(buttons[i].getAttribute("data-enabled-by"));
      if (box) buttons[i].disabled = !box.checked;
    }
  }

  document.addEventListener("change", function (event) {
    if (event.target.matches && event.target.matches("input[type=checkbox]")) syncEnabledBy();
  });
  document.addEventListener("DOMContentLoaded", syncEnabledBy);
  document.addEventListener("htmx:afterSettle", syncEnabledBy);
})();

// ---- monitoring: the observer's questionnaire on a phone ----
// The form saves its section through htmx (hx-trigger on the form: on change, and 3 s after typing).
// Here: every answer typed is also kept in localStorage until the server confirms it, restored after
// a reload when it is newer than the server's copy (so a lost connection loses nothing typed), and
// saving is retried while the connection is down, with "Not saved — will retry" shown meanwhile.
(function () {
  "use strict";

  var RETRY_MS = 10000;
  var PREFIX = "defensor-observation-";

  function storage() {
    try { return window.localStorage; } catch (e) { return null; }
  }
  function read(key) {
    var store = storage();
    if (!store) return null;
    try { return JSON.parse(store.getItem(key) || "null"); } catch (e) { return null; }
  }
  function write(key, value) {
    var store = storage();
    if (!store) return;
    try {
      if (value && Object.keys(value).length) store.setItem(key, JSON.stringify(value));
      else store.removeItem(key);
    } catch (e) { /* storage full or refused: the server copy is all there is */ }
  }
  function forget(id) {
    var store = storage();
    if (store && id) store.removeItem(PREFIX + id);
  }
  function keyOf(form) { return PREFIX + form.getAttribute("data-observation"); }
  function answerFields(form) {
    return Array.prototype.filter.call(form.elements, function (el) {
      return el.name && el.name.indexOf("q-") === 0;
    });
  }
  function currentValues(form) {
    var values = {};
    answerFields(form).forEach(function (el) {
      if (el.type === "radio") {
        if (el.checked) values[el.name] = el.value;
      } else {
        values[el.name] = el.value;
      }
    });
    return values;
  }
  function setStatus(form, text) {
    var status = document.getElementById("save-status");
    if (status && text) status.textContent = text;
  }

  function remember(form) {
    var key = keyOf(form);
    var stored = read(key) || {};
    var values = currentValues(form);
    var now = new Date().toISOString();
    Object.keys(values).forEach(function (name) {
      if (!stored[name] || stored[name].v !== values[name]) stored[name] = { v: values[name], t: now };
    });
    write(key, stored);
  }

  function confirmSaved(form, sent) {
    var key = keyOf(form);
    var stored = read(key);
    if (!stored) return;
    Object.keys(sent || {}).forEach(function (name) {
      if (stored[name] && stored[name].v === sent[name]) delete stored[name];
    });
    write(key, stored);
  }

  function restore(form) {
    var stored = read(keyOf(form));
    if (!stored) return false;
    var savedAt = form.getAttribute("data-saved-at");
    var serverTime = savedAt ? new Date(savedAt).getTime() : 0;
    var restored = false;
    answerFields(form).forEach(function (el) {
      var entry = stored[el.name];
      if (!entry || new Date(entry.t).getTime() <= serverTime) return;
      if (el.type === "radio") {
        if (el.value === entry.v && !el.checked) { el.checked = true; restored = true; }
      } else if (el.value !== entry.v) {
        el.value = entry.v;
        restored = true;
      }
    });
    return restored;
  }

  function setup(form) {
    var retryTimer = null;
    function retry() {
      if (retryTimer) return;
      retryTimer = window.setTimeout(function () {
        retryTimer = null;
        if (window.htmx) window.htmx.trigger(form, "save-retry");
      }, RETRY_MS);
    }
    form.addEventListener("input", function () { remember(form); });
    form.addEventListener("change", function () { remember(form); });
    form.addEventListener("htmx:beforeRequest", function () { form._sending = currentValues(form); });
    form.addEventListener("htmx:afterRequest", function (event) {
      var xhr = event.detail && event.detail.xhr;
      if (event.detail && event.detail.successful) {
        confirmSaved(form, form._sending);
        return;
      }
      setStatus(form, form.getAttribute("data-text-unsaved"));
      // A 4xx answer (signed out, submitted elsewhere) will not get better by retrying.
      if (!xhr || !xhr.status || xhr.status >= 500) retry();
    });
    window.addEventListener("online", function () {
      if (window.htmx) window.htmx.trigger(form, "save-retry");
    });
    if (restore(form)) {
      setStatus(form, form.getAttribute("data-text-restored"));
      // After htmx has processed the page (its own DOMContentLoaded handler ran before this one).
      window.setTimeout(function () {
        if (window.htmx) window.htmx.trigger(form, "save-retry");
      }, 0);
    }
  }

  function init() {
    var form = document.getElementById("observation-form");
    if (form && form.getAttribute("data-observation")) setup(form);
    var submitted = document.querySelector("[data-observation-submitted]");
    if (submitted) forget(submitted.getAttribute("data-observation-submitted"));
    document.addEventListener("submit", function (event) {
      var id = event.target.getAttribute && event.target.getAttribute("data-observation-clear");
      if (id) forget(id);
    });
  }

  // htmx must have processed the form first; it is loaded before this file and listens first.
  if (document.readyState === "complete") init();
  else document.addEventListener("DOMContentLoaded", init);
})();
