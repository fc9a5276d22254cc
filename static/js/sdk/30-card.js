/* Card: the card fields live in an iframe on the gateway's origin; this side only hosts
 * the frame, shows the pay button and relays results. Messages are accepted only from
 * that frame's window and exact origin, and sent only to that origin. */

function Card(checkout, options) {
  this.checkout = checkout;
  this.options = options || {};
  this.ref = { payment: this.payment.bind(this) };
  this.root = null;
  this.frame = null;
  this.channel = nextId("pkcard");
  this._frameReady = false;
  this._pending = null;
  this._onMessage = this._onMessage.bind(this);
  this._onPayClick = this._onPayClick.bind(this);
  this.payButton = null;
  this.status = null;
}

Card.prototype.methodCode = "BANKCARD";

Card.prototype.mount = function (target) {
  var host = resolveTarget(target);
  if (this.root) {
    // Remount: move the same frame, so what the shopper typed survives ("parking").
    host.appendChild(this.root);
    return this;
  }
  this.root = el("div", "pk-component pk-card");
  this.root.setAttribute("data-paykka-component", "card");
  host.appendChild(this.root);
  window.addEventListener("message", this._onMessage);
  this.checkout._ensureInit();
  if (this.checkout.session) this._sessionReady();
  return this;
};

Card.prototype._sessionReady = function () {
  if (!this.root || this.frame) return;
  var checkout = this.checkout;
  var session = checkout.session;
  var locale = checkout.locale;
  var params = new URLSearchParams({
    sid: session.sessionId,
    ck: checkout.options.clientKey,
    origin: location.origin,
    channel: this.channel,
    locale: locale,
    holder: this.options.showHolderName ? "1" : "0"
  });
  var frame = el("iframe", "pk-card-frame");
  frame.title = t(locale, "frameTitle");
  frame.setAttribute("allow", "payment");
  frame.src = settings.cdnUrl + "/frames/card.html#" + params.toString();
  this.frame = frame;
  this.root.appendChild(frame);
  this.status = el("div", "pk-status");
  this.status.setAttribute("role", "status");
  this.status.setAttribute("aria-live", "polite");
  this.root.appendChild(this.status);
  if (!checkout.options.hidePaymentButton && !this.options.hidePaymentButton) {
    var button = el("button", "pk-pay-button", t(locale, "pay", {
      amount: formatAmount(session.amount, session.currency, session.exponent, locale)
    }));
    button.type = "button";
    button.disabled = true;
    button.addEventListener("click", this._onPayClick);
    this.payButton = button;
    this.root.appendChild(button);
  }
};

Card.prototype._send = function (message) {
  if (!this.frame || !this.frame.contentWindow) return;
  message.channel = this.channel;
  this.frame.contentWindow.postMessage(message, frameOrigin());
};

Card.prototype._onMessage = function (event) {
  if (!this.frame || event.source !== this.frame.contentWindow || event.origin !== frameOrigin()) return;
  var data = event.data;
  if (!data || typeof data !== "object" || data.channel !== this.channel || typeof data.type !== "string") return;
  switch (data.type) {
    case "paykka:frame-ready":
      this._frameReady = true;
      if (this.payButton) this.payButton.disabled = false;
      this.checkout._interactive();
      call(this.options.onReady, { component: "card" });
      break;
    case "paykka:resize":
      if (typeof data.height === "number" && data.height > 0 && data.height < 2000) {
        this.frame.style.height = Math.ceil(data.height) + "px";
      }
      break;
    case "paykka:validation":
      this._settle(false, new PayKKaError("VALIDATION_ERROR", "card details are incomplete or invalid", "VALIDATION_ERROR"));
      call(this.options.onSubmit, data.errors || {});
      call(this.checkout.options.onSubmit, data.errors || {});
      break;
    case "paykka:submitting":
      call(this.options.onSubmit, {});
      call(this.checkout.options.onSubmit, {});
      this._setBusy(true);
      break;
    case "paykka:result":
      this._setBusy(false);
      this._handleResult(data.result || {});
      break;
    case "paykka:error":
      this._setBusy(false);
      var err = new PayKKaError(data.code || "ERROR", data.message || "payment failed", data.errorType || "API_ERROR");
      if (err.code === "SESSION_EXPIRED") call(this.checkout.options.onExpired, err);
      this._showError(err);
      call(this.checkout.options.onError, err);
      this._settle(false, err);
      break;
  }
};

Card.prototype._handleResult = function (result) {
  result.paymentMethod = this.methodCode;
  var outcome = this.checkout._result(this, result);
  var locale = this.checkout.locale;
  if (outcome instanceof PayKKaError) {
    this._say(t(locale, "declined", { reason: outcome.message }), true);
    this._settle(false, outcome);
  } else {
    this._say(t(locale, "paid"), false);
    if (this.payButton) this.payButton.disabled = true;
    this._settle(true, outcome);
  }
};

Card.prototype._setBusy = function (busy) {
  if (this.payButton) {
    this.payButton.disabled = busy;
    this.payButton.setAttribute("aria-busy", busy ? "true" : "false");
  }
  if (busy) this._say(t(this.checkout.locale, "paying"), false);
};

Card.prototype._say = function (text, isError) {
  if (!this.status) return;
  this.status.textContent = text;
  this.status.className = "pk-status" + (isError ? " pk-status-error" : "");
};

Card.prototype._showError = function (err) {
  if (!this.root) return;
  if (!this.status) {
    this.status = el("div", "pk-status");
    this.status.setAttribute("role", "alert");
    this.root.appendChild(this.status);
  }
  var key = err.code === "SESSION_EXPIRED" ? "expired" : "error";
  this._say(t(this.checkout.locale, key, { reason: err.message }), true);
};

Card.prototype._settle = function (ok, value) {
  var pending = this._pending;
  this._pending = null;
  if (!pending) return;
  if (ok) pending.resolve(value); else pending.reject(value);
};

Card.prototype._onPayClick = function () {
  this.payment().catch(function () { /* reported through the callbacks */ });
};

/** Start the payment (the pay button does this; merchants call it with hidePaymentButton). */
Card.prototype.payment = function () {
  var self = this;
  if (!this._frameReady) {
    return Promise.reject(new PayKKaError("NOT_READY", "the card form is not ready yet", "IMPLEMENTATION_ERROR"));
  }
  if (this._pending) return this._pending.promise;
  var pending = {};
  pending.promise = new Promise(function (resolve, reject) { pending.resolve = resolve; pending.reject = reject; });
  this._pending = pending;
  this._send({ type: "paykka:pay" });
  return pending.promise.then(function (v) { return v; }, function (e) { self._pending = null; throw e; });
};

Card.prototype.unmount = function () {
  window.removeEventListener("message", this._onMessage);
  if (this.payButton) this.payButton.removeEventListener("click", this._onPayClick);
  if (this.root && this.root.parentNode) this.root.parentNode.removeChild(this.root);
  this.root = null;
  this.frame = null;
  this.payButton = null;
  this.status = null;
  this._frameReady = false;
  this._settle(false, new PayKKaError("UNMOUNTED", "the component was unmounted", "CANCEL"));
  return this;
};
