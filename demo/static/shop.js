/* Shop-wide behaviour, without inline handlers (the page's CSP allows none). */
(function () {
  "use strict";
  document.addEventListener("change", function (event) {
    var target = event.target;
    if (target && target.hasAttribute && target.hasAttribute("data-autosubmit") && target.form) target.form.submit();
  });
})();
