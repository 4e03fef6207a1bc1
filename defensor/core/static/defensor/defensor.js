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
