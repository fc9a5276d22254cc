/* The hosted page: the stub renders the session into the page, this mounts the Drop-in
 * on it, and sends the shopper back to the merchant's return_url with the result. */
(function () {
  "use strict";
  var config = JSON.parse(document.getElementById("hp-config").textContent);
  var ui = window.PayKKaCardCheckoutUI;
  var session = config.session;

  function back(payload) {
    var url = payload.returnUrl || session.returnUrl;
    if (!url) return;
    var target = new URL(url, location.href);
    target.searchParams.set("session_id", session.sessionId);
    if (payload.orderId) target.searchParams.set("order_id", payload.orderId);
    target.searchParams.set("status", payload.status || "");
    location.assign(target.href);
  }

  var checkout = new ui.PayKKaCheckout({
    sessionId: session.sessionId,
    clientKey: config.clientKey,
    locale: session.locale,
    preloadedSession: session,
    onSuccess: back,
    // An expired session is shown by the server: reload to get that page.
    onExpired: function () { location.reload(); }
  });
  checkout.create(ui.DropIn, {}).mount("#hp-checkout");
})();
