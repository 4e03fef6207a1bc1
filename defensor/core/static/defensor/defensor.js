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
