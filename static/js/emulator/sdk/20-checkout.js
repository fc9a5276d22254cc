/* PayKKaCheckout: one checkout per session. It initialises the session once (as PayKKa
 * does: the gateway refuses a second init of a session), hands the session to every
 * component created from it, and routes their results to the merchant's callbacks. */

var DEFAULT_ACTION_TIMEOUT = 5 * 60 * 1000;

function PayKKaCheckout(options) {
  if (!(this instanceof PayKKaCheckout)) return new PayKKaCheckout(options);
  this.options = options || {};
  this.session = null;
  this.messages = null;
  this._components = [];
  this._initPromise = null;
  this._destroyed = false;
  this._interactiveMarked = false;
  this._lot = null;
}

/** Resolves with the session; calling it again returns the same promise, so pages that
 * both await init() and mount (which initialises on its own) start the session once. */
PayKKaCheckout.prototype.init = function () {
  var self = this;
  var opts = this.options;
  if (this._initPromise) return this._initPromise;
  if (this._destroyed) return Promise.reject(new PayKKaError("DESTROYED", "this checkout was destroyed", "IMPLEMENTATION_ERROR"));
  ensureStyles();
  var start;
  if (!opts.sessionId || !opts.clientKey) {
    start = Promise.reject(new PayKKaError("INVALID_OPTIONS", "sessionId and clientKey are required", "IMPLEMENTATION_ERROR"));
  } else if (opts.preloadedSession) {
    // The stub's hosted page renders the session itself; nothing to fetch.
    start = Promise.resolve(opts.preloadedSession);
  } else {
    start = apiPost("/cp/api/init", { sessionId: opts.sessionId, clientKey: opts.clientKey, locale: opts.locale || null });
  }
  this._initPromise = start.then(function (session) {
    if (self._destroyed) return session;
    self.session = session;
    self.messages = session.messages;
    call(opts.onPaymentMethodsReady, session.paymentMethods.map(function (m) {
      return { code: m.code, type: m.kind, name: m.name, brands: m.brands };
    }));
    self._components.slice().forEach(function (c) { c._sessionReady(); });
    return session;
  }, function (err) {
    if (!self._destroyed) {
      if (err.code === "SESSION_EXPIRED") call(opts.onExpired, err);
      call(opts.onInitError, err);
      call(opts.onError, err);
      self._components.slice().forEach(function (c) { c._showError(err); });
    }
    throw err;
  });
  // A page that never awaits init() (it only mounts) must not see an unhandled rejection.
  this._initPromise.catch(function () {});
  return this._initPromise;
};

PayKKaCheckout.prototype.t = function (key, vars) { return translate(this.messages, key, vars); };
PayKKaCheckout.prototype.w = function (key, vars) { return words(this.messages, key, vars); };

/** Laid out by the gateway from CLDR for the shopper's locale. */
PayKKaCheckout.prototype.amountText = function () { return this.session.amountText; };

PayKKaCheckout.prototype.method = function (code) {
  var list = this.session ? this.session.paymentMethods : [];
  for (var i = 0; i < list.length; i++) if (list[i].code === code) return list[i];
  return null;
};

PayKKaCheckout.prototype.create = function (Type, options) {
  if (this._destroyed) throw new PayKKaError("DESTROYED", "this checkout was destroyed", "IMPLEMENTATION_ERROR");
  if (typeof Type !== "function" || !Type.prototype || typeof Type.prototype.mount !== "function") {
    throw new PayKKaError("UNKNOWN_COMPONENT", "create() needs DropIn, Card, ApplePay, GooglePay or a wallet component", "IMPLEMENTATION_ERROR");
  }
  return new Type(this, options || {});
};

PayKKaCheckout.prototype._register = function (component) {
  if (this._components.indexOf(component) < 0) this._components.push(component);
  this.init();
};

PayKKaCheckout.prototype._forget = function (component) {
  this._components = this._components.filter(function (c) { return c !== component; });
};

/** A hidden holder inside the page where unmounted components wait one turn of the event
 * loop: a mount() in the same turn (the "parking" pattern) moves them back with their
 * iframes alive, so what the shopper typed survives. */
PayKKaCheckout.prototype._parkingLot = function () {
  if (!this._lot || !this._lot.isConnected) {
    this._lot = el("div", "pk-parking");
    this._lot.hidden = true;
    document.body.appendChild(this._lot);
  }
  return this._lot;
};

/** Called by components once they can take a payment: the time-to-interactive mark. */
PayKKaCheckout.prototype._interactive = function () {
  if (this._interactiveMarked) return;
  this._interactiveMarked = true;
  if (window.performance && performance.mark) performance.mark("paykka:interactive");
};

PayKKaCheckout.prototype._actionTimeout = function () {
  var ms = Number(this.options.actionTimeout);
  return ms > 0 ? ms : DEFAULT_ACTION_TIMEOUT;
};

/** A final result: onSuccess / onError of the method (Drop-in's paymentMethods) then of
 * the checkout. Returns what ref.payment() resolves with. */
PayKKaCheckout.prototype._result = function (component, result) {
  var opts = this.options;
  var own = component.options || {};
  if (isPaid(result.status)) {
    var payload = {
      status: result.status, sessionId: opts.sessionId, orderId: result.orderId,
      paymentMethod: result.paymentMethod || component.code, returnUrl: result.returnUrl
    };
    call(own.onSuccess, payload);
    call(opts.onSuccess, payload);
    return payload;
  }
  var err = new PayKKaError(result.errorCode || "PAYMENT_FAILED", result.errorDescription || "payment failed",
    result.cancelled ? "CANCEL" : "PAYMENT_FAILED");
  err.orderId = result.orderId;
  err.status = result.status;
  err.paymentMethod = result.paymentMethod || component.code;
  call(own.onError, err);
  call(opts.onError, err);
  return err;
};

/** Errors that are not a payment outcome (network, expired session, misuse). */
PayKKaCheckout.prototype._error = function (component, err) {
  if (err.code === "SESSION_EXPIRED") {
    call((component.options || {}).onExpired, err);
    call(this.options.onExpired, err);
  }
  call((component.options || {}).onError, err);
  call(this.options.onError, err);
};

PayKKaCheckout.prototype._timeout = function (component, info) {
  call((component.options || {}).onTimeout, info);
  call(this.options.onTimeout, info);
};

/** Idempotent: a second destroy() does nothing. */
PayKKaCheckout.prototype.destroy = function () {
  if (this._destroyed) return;
  this._destroyed = true;
  this._components.slice().forEach(function (c) { c._teardown(); });
  this._components = [];
  if (this._lot && this._lot.parentNode) this._lot.parentNode.removeChild(this._lot);
  this._lot = null;
};
