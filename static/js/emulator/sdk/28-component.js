/* What every component shares: the mount / unmount / remount lifecycle, the pay button,
 * the live regions, the ref.payment() promise, final results, and an attempt that waits
 * on the shopper (kept across the back/forward cache). How a waiting attempt is followed
 * (a 3DS challenge, a wallet's sheet, a QR code, a redirect) is each flow's own piece:
 * Card, and the wallets' SheetWallet, QrWallet and RedirectWallet, built on Wallet. */

function Component(checkout, options, code) {
  this.checkout = checkout;
  this.options = options || {};
  this.code = code;
  this.ref = { payment: this.payment.bind(this) };
  this.root = null;
  this.ready = false;
  this._rendered = false;
  this._pending = null;
  this._followUp = null;
  this._parkTimer = null;
  this._onPayClick = this._onPayClick.bind(this);
}

/* Back from a redirect wallet (or any page) through the back/forward cache: the page comes
 * back as it was left, busy. Components waiting on an attempt (redirect, QR, 3DS, sheet)
 * stop their follow-up when the page is hidden, and when it is shown again ask the
 * gateway what became of the attempt: paid → the success path; still open → usable
 * again (a new attempt replaces the pending one at the gateway); failed → the decline;
 * session expired → the attempt is given up and onExpired called, for a fresh session. */
var WAITING = [];
window.addEventListener("pagehide", function (event) {
  if (event.persisted) WAITING.forEach(function (c) { c._stopTimers(); });
});
window.addEventListener("pageshow", function (event) {
  if (event.persisted) WAITING.slice().forEach(function (c) { c._resume(); });
});

/** Move without reloading iframes when the browser can (Element.moveBefore); else append. */
function moveInto(host, node) {
  if (host.moveBefore && host.isConnected && node.isConnected) {
    try { host.moveBefore(node, null); return; } catch (e) { /* fall back below */ }
  }
  host.appendChild(node);
}

Component.prototype.mount = function (target) {
  var host = resolveTarget(target);
  if (this.checkout._destroyed) throw new PayKKaError("DESTROYED", "this checkout was destroyed", "IMPLEMENTATION_ERROR");
  if (this.root) {
    // Parked or mounted elsewhere: move it, frames and typed input included.
    clearTimeout(this._parkTimer);
    moveInto(host, this.root);
    return this;
  }
  this.root = el("div", "pk-component pk-" + this.kind);
  this.root.setAttribute("data-paykka-component", this.kind);
  host.appendChild(this.root);
  this.checkout._register(this);
  if (this.checkout.session) this._sessionReady();
  return this;
};

/** Idempotent. The component waits in the checkout's parking lot for one turn of the
 * event loop (see PayKKaCheckout._parkingLot), then is torn down for good. */
Component.prototype.unmount = function () {
  if (!this.root) return this;
  var self = this;
  if (this.checkout._destroyed) { this._teardown(); return this; }
  moveInto(this.checkout._parkingLot(), this.root);
  clearTimeout(this._parkTimer);
  this._parkTimer = setTimeout(function () { self._teardown(); }, 0);
  return this;
};

Component.prototype._teardown = function () {
  clearTimeout(this._parkTimer);
  this._stopAction();
  if (this._rendered) this._unrender();
  if (this.root && this.root.parentNode) this.root.parentNode.removeChild(this.root);
  this.root = null;
  this.ready = false;
  this._rendered = false;
  this.payButton = this.statusBox = this.alertBox = null;
  this.checkout._forget(this);
  this._settle({ status: "CANCELLED", error: new PayKKaError("UNMOUNTED", "the component was unmounted", "CANCEL") });
};

Component.prototype._sessionReady = function () {
  if (!this.root || this._rendered) return;
  this._rendered = true;
  var session = this.checkout.session;
  this.root.lang = session.locale;
  this.root.dir = session.dir;
  if (this.code && !this.checkout.method(this.code)) {
    var err = new PayKKaError("METHOD_NOT_AVAILABLE", this.checkout.t("notAvailable", { method: this.code }), "IMPLEMENTATION_ERROR");
    this._addLiveRegions();
    this._say(this.checkout.w("notAvailable", { method: this.code }), true);
    this.checkout._error(this, err);
    return;
  }
  this._render();
};

Component.prototype._render = function () {};
Component.prototype._unrender = function () {};

Component.prototype._addLiveRegions = function () {
  this.statusBox = el("div", "pk-status");
  this.statusBox.setAttribute("role", "status");
  this.alertBox = el("div", "pk-status pk-status-error");
  this.alertBox.setAttribute("role", "alert");
  this.root.appendChild(this.statusBox);
  this.root.appendChild(this.alertBox);
};

Component.prototype._hidesButton = function () {
  return !!(this.checkout.options.hidePaymentButton || this.options.hidePaymentButton || this.options._inDropIn);
};

Component.prototype._addPayButton = function (label, extraClass) {
  if (this._hidesButton()) return;
  var button = el("button", "pk-pay-button" + (extraClass ? " " + extraClass : ""), label);
  button.type = "button";
  button.disabled = !this.ready;
  button.addEventListener("click", this._onPayClick);
  this.payButton = button;
  this.root.appendChild(button);
};

Component.prototype._becomeReady = function () {
  if (this.ready) return;
  this.ready = true;
  if (this.payButton) this.payButton.disabled = false;
  this.checkout._interactive();
  call(this.options.onReady, { component: this.kind, paymentMethod: this.code });
  if (this.options._onChildReady) this.options._onChildReady(this);
};

Component.prototype._say = function (text, isError) {
  if (!this.statusBox) return;
  this.statusBox.replaceChildren(isError ? "" : text);
  this.alertBox.replaceChildren(isError ? text : "");
};

Component.prototype._showError = function (err) {
  if (!this.root) return;
  if (!this.statusBox) this._addLiveRegions();
  this._say(this.checkout.w(err.code === "SESSION_EXPIRED" ? "expired" : "error", { reason: err.message }), true);
};

Component.prototype._setBusy = function (busy) {
  this.busy = busy;
  if (this.payButton) {
    this.payButton.disabled = busy || !this.ready;
    this.payButton.setAttribute("aria-busy", busy ? "true" : "false");
  }
  if (busy) this._say(this.checkout.t("paying"), false);
  if (this.options._onBusy) this.options._onBusy(busy);
};

Component.prototype._onPayClick = function () { this.payment(); };

/** Starts the payment (the pay button does this; merchants call it with
 * hidePaymentButton). Resolves with the success payload, or with
 * { status: "FAILURE" | "INVALID" | "CANCELLED" | "TIMEOUT" | "ERROR", error } —
 * it never rejects for an outcome, which the callbacks report already; it rejects
 * only when called before the component is ready (code NOT_READY). */
Component.prototype.payment = function (extra) {
  if (!this.ready) {
    return Promise.reject(new PayKKaError("NOT_READY", "the payment form is not ready yet", "IMPLEMENTATION_ERROR"));
  }
  if (this._pending) return this._pending.promise;
  var pending = {};
  pending.promise = new Promise(function (resolve) { pending.resolve = resolve; });
  this._pending = pending;
  this._start(extra || {});
  return pending.promise;
};

Component.prototype._settle = function (value) {
  var pending = this._pending;
  this._pending = null;
  if (pending) pending.resolve(value);
};

/** A gateway answer: final, or an action the shopper must finish first. */
Component.prototype._handle = function (result) {
  if (result.status === "PROCESSING" && result.action) return this._await(result);
  this._final(result);
};

/** The attempt waits on the shopper. It is remembered (for a page restored from the
 * back/forward cache), then followed by this component's flow: `action` names the one
 * action type the flow follows, `_follow(result)` follows it and returns the follow-up
 * (an object with stop(), and remove() when it leaves something on the page), if any. */
Component.prototype._await = function (result) {
  this._stopFollowUp();
  if (!this.action || result.action.type !== this.action) {
    return this._fail(new PayKKaError("UNSUPPORTED_ACTION", "unknown action " + result.action.type, "API_ERROR"));
  }
  this._waitingFor = result.orderId;
  if (WAITING.indexOf(this) < 0) WAITING.push(this);
  this._followUp = this._follow(result) || null;
};

Component.prototype.action = null;

Component.prototype._final = function (result) {
  this._stopAction();
  this._setBusy(false);
  var outcome = this.checkout._result(this, result);
  if (outcome instanceof PayKKaError) {
    // One message, in words the shopper understands, with what to do next; the code is in outcome.
    this._say(result.cancelled ? this.checkout.t("cancelled")
      : this.checkout.w(result.declineKey || "declinedOther", { method: this._methodName() }), true);
    this._settle({ status: result.cancelled ? "CANCELLED" : "FAILURE", error: outcome });
  } else {
    this._say(this.checkout.t("paid"), false);
    if (this.payButton) this.payButton.disabled = true;
    this._paid();
    this._settle(outcome);
  }
};

Component.prototype._paid = function () {};

Component.prototype._fail = function (err) {
  this._stopAction();
  this._setBusy(false);
  this._showError(err);
  this.checkout._error(this, err);
  this._settle({ status: "ERROR", error: err });
};

Component.prototype._apiBody = function (extra) {
  var body = { sessionId: this.checkout.options.sessionId, clientKey: this.checkout.options.clientKey };
  Object.keys(extra || {}).forEach(function (k) { body[k] = extra[k]; });
  return body;
};

/** The shopper gave up (closed the dialog) or the action timed out: the attempt is
 * cancelled at the gateway, unless it was paid meanwhile. */
Component.prototype._cancelAttempt = function (result, timedOut) {
  var self = this;
  apiPost("/cp/api/cancel", this._apiBody({ orderId: result.orderId })).then(function (r) {
    if (timedOut) {
      self._stopAction();
      self._setBusy(false);
      self._say(self.checkout.t("timeout"), true);
      self.checkout._timeout(self, { orderId: result.orderId, paymentMethod: self.code });
      self._settle({ status: "TIMEOUT", orderId: result.orderId });
    } else {
      r.cancelled = !isPaid(r.status);
      self._final(r);
    }
  }, function (err) { self._fail(err); });
};

Component.prototype._methodName = function () {
  var m = this.checkout.method(this.code);
  return m ? m.name : this.code;
};

/** The page is hidden: the follow-up stops (timers, dialog); what it shows stays. */
Component.prototype._stopTimers = function () {
  if (this._followUp) this._followUp.stop();
};

Component.prototype._stopFollowUp = function () {
  var followUp = this._followUp;
  this._followUp = null;
  if (!followUp) return;
  followUp.stop();
  if (followUp.remove) followUp.remove();
};

/** The attempt is over (or given up): nothing waits on it any more. */
Component.prototype._stopAction = function () {
  this._stopFollowUp();
  this._waitingFor = null;
  WAITING = WAITING.filter(function (c) { return c !== this; }, this);
};

/** The page is shown again from the back/forward cache while an attempt was pending. */
Component.prototype._resume = function () {
  var self = this, order = this._waitingFor;
  apiPost("/cp/api/status", this._apiBody({ orderId: order })).then(function (r) {
    if (self._waitingFor !== order) return;
    if (isPaid(r.status)) return self._final(r);
    if (r.sessionStatus === "EXPIRED") {
      var expired = function () { self._fail(new PayKKaError("SESSION_EXPIRED", "the session has expired", "API_ERROR")); };
      // Ended by the gateway at the expiry, or still pending: the shopper is back, not in the wallet,
      // so a pending attempt is given up (unless paid just now) and the merchant can start a fresh one.
      if (r.status !== "PROCESSING") return expired();
      return apiPost("/cp/api/cancel", self._apiBody({ orderId: order })).then(function (c) {
        if (isPaid(c.status)) return self._final(c);
        expired();
      });
    }
    if (r.status !== "PROCESSING") return self._final(r);
    self._stopAction();
    self._setBusy(false);
    self._say("", false);
    self._settle({ status: "CANCELLED", orderId: order });
  }).catch(function (err) { if (self._waitingFor === order) self._fail(err); });
};
