/* PayKKaCheckout: one checkout per session. It initialises the session once (as PayKKa
 * does), hands the session to the components created from it, and routes their results
 * to the merchant's callbacks. */

function PayKKaCheckout(options) {
  if (!(this instanceof PayKKaCheckout)) return new PayKKaCheckout(options);
  this.options = options || {};
  this.session = null;
  this.locale = resolveLocale(this.options.locale);
  this._components = [];
  this._initPromise = null;
  this._destroyed = false;
  this._interactiveMarked = false;
}

PayKKaCheckout.prototype.init = function () {
  var self = this;
  if (this._initPromise) return this._initPromise;
  var opts = this.options;
  if (!opts.sessionId || !opts.clientKey) {
    var missing = new PayKKaError("INVALID_OPTIONS", "sessionId and clientKey are required", "IMPLEMENTATION_ERROR");
    this._initPromise = Promise.reject(missing);
    this._fail(missing, true);
    return this._initPromise;
  }
  this._initPromise = apiPost("/cp/api/init", { sessionId: opts.sessionId, clientKey: opts.clientKey })
    .then(function (session) {
      if (self._destroyed) return session;
      self.session = session;
      if (!opts.locale && session.locale) self.locale = resolveLocale(session.locale);
      call(opts.onPaymentMethodsReady, session.paymentMethods.map(function (m) { return { code: m.code, name: m.name }; }));
      self._components.forEach(function (c) { c._sessionReady(); });
      return session;
    }, function (err) {
      if (err.code === "SESSION_EXPIRED") {
        call(opts.onExpired, err);
      }
      self._fail(err, true);
      throw err;
    });
  // A page that never awaits init() must not see an unhandled rejection.
  this._initPromise.catch(function () {});
  return this._initPromise;
};

PayKKaCheckout.prototype._fail = function (err, duringInit) {
  if (duringInit) call(this.options.onInitError, err);
  call(this.options.onError, err);
  this._components.forEach(function (c) { c._showError(err); });
};

PayKKaCheckout.prototype.create = function (Type, options) {
  if (typeof Type !== "function") {
    throw new PayKKaError("UNKNOWN_COMPONENT", "create() needs DropIn, Card, ApplePay or GooglePay", "IMPLEMENTATION_ERROR");
  }
  var component = new Type(this, options || {});
  this._components.push(component);
  return component;
};

PayKKaCheckout.prototype._ensureInit = function () {
  return this.init();
};

PayKKaCheckout.prototype._forget = function (component) {
  this._components = this._components.filter(function (c) { return c !== component; });
};

/** Called by components once they can take a payment: the time-to-interactive mark. */
PayKKaCheckout.prototype._interactive = function () {
  if (this._interactiveMarked) return;
  this._interactiveMarked = true;
  if (window.performance && performance.mark) performance.mark("paykka:interactive");
};

PayKKaCheckout.prototype._result = function (component, result) {
  var opts = this.options;
  var perMethod = component.options || {};
  if (result.status === "SUCCESS" || result.status === "AUTHORIZED") {
    var payload = {
      status: result.status,
      sessionId: opts.sessionId,
      orderId: result.orderId,
      paymentMethod: result.paymentMethod,
      returnUrl: result.returnUrl
    };
    call(perMethod.onSuccess, payload);
    call(opts.onSuccess, payload);
    return payload;
  }
  var err = new PayKKaError(result.errorCode || "PAYMENT_FAILED", result.errorDescription || "payment failed", "PAYMENT_FAILED");
  err.orderId = result.orderId;
  call(perMethod.onError, err);
  call(opts.onError, err);
  return err;
};

PayKKaCheckout.prototype.destroy = function () {
  if (this._destroyed) return;
  this._destroyed = true;
  this._components.slice().forEach(function (c) { c.unmount(); });
  this._components = [];
};
