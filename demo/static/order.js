/* Order page: poll the shop's status endpoint until the webhook has confirmed the payment. */
(function () {
  "use strict";
  var box = document.querySelector("[data-status-url]");
  if (!box) return;
  var url = box.getAttribute("data-status-url");
  var FINAL = { SUCCESS: 1, FAILURE: 1, AUTHORIZED: 1, REFUNDED: 1, CANCELED: 1 };
  function set(id, value, fallback) { document.getElementById(id).textContent = value || fallback; }
  function poll(delay) {
    fetch(url, { credentials: "same-origin", cache: "no-store" }).then(function (r) { return r.json(); }).then(function (s) {
      set("payment-status", s.status, "UNPAID");
      set("query-status", s.confirmed_by_query, "not yet");
      set("webhook-status", s.confirmed_by_webhook, "waiting…");
      set("order-id", s.order_id, "—");
      if (!FINAL[s.confirmed_by_webhook]) setTimeout(function () { poll(Math.min(delay * 1.5, 5000)); }, delay);
    }, function () { setTimeout(function () { poll(5000); }, 5000); });
  }
  poll(500);
})();
