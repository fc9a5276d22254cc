/* Order page: follow the payment until it is settled (the webhook confirmed it, or it failed), saying
   what it means for the shopper; the statuses stay on the section's data attributes. */
(function () {
  "use strict";
  var section = document.getElementById("order-state");
  if (!section) return;
  var url = section.getAttribute("data-status-url");
  var SETTLED = { paid: 1, authorised: 1, refunded: 1, cancelled: 1, failed: 1, unpaid: 1, review: 1 };

  function show(payment) {
    section.setAttribute("data-state", payment.state);
    section.setAttribute("data-status", payment.status);
    section.setAttribute("data-query-status", payment.confirmed_by_query || "");
    section.setAttribute("data-webhook-status", payment.confirmed_by_webhook || "");
    section.setAttribute("data-order-id", payment.order_id || "");
    section.className = "order-state state-" + payment.state;
    document.getElementById("payment-message").textContent = payment.message;
    document.getElementById("pay-again").hidden = !payment.payable;
  }

  function poll(delay) {
    fetch(url, { credentials: "same-origin", cache: "no-store" })
      .then(function (response) { return response.json(); })
      .then(function (payment) {
        show(payment);
        var confirmed = payment.confirmed_by_webhook && payment.confirmed_by_webhook !== "PROCESSING";
        if (!(SETTLED[payment.state] && (confirmed || payment.state === "unpaid"))) {
          setTimeout(function () { poll(Math.min(delay * 1.5, 5000)); }, delay);
        }
      }, function () { setTimeout(function () { poll(5000); }, 5000); });
  }
  poll(500);
})();
