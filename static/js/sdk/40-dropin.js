/* DropIn: the list of payment methods the session allows, each opening its component. */

function DropIn(checkout, options) {
  this.checkout = checkout;
  this.options = options || {};
  this.root = null;
  this.list = null;
  this.active = null;
  this.children = [];
  this.ref = { payment: this.payment.bind(this) };
}

DropIn.prototype.mount = function (target) {
  var host = resolveTarget(target);
  if (this.root) {
    host.appendChild(this.root);
    return this;
  }
  this.root = el("div", "pk-dropin");
  this.root.setAttribute("data-paykka-component", "dropin");
  host.appendChild(this.root);
  this.checkout._ensureInit();
  if (this.checkout.session) this._sessionReady();
  return this;
};

DropIn.prototype._sessionReady = function () {
  if (!this.root || this.list) return;
  var self = this;
  var locale = this.checkout.locale;
  var methods = this.checkout.session.paymentMethods;
  this.list = el("ul", "pk-methods");
  this.list.setAttribute("aria-label", t(locale, "methods"));
  this.root.appendChild(this.list);
  methods.forEach(function (method) {
    var Type = METHOD_COMPONENTS[method.code];
    if (!Type) return;
    var perMethod = (self.options.paymentMethods || {})[method.key] || {};
    var item = el("li", "pk-method");
    item.setAttribute("data-method", method.code);
    var heading = el("div", "pk-method-heading", method.name);
    var body = el("div", "pk-method-body");
    item.appendChild(heading);
    item.appendChild(body);
    self.list.appendChild(item);
    var child = new Type(self.checkout, mergeOptions(self.options, perMethod));
    child.mount(body);
    self.children.push(child);
    if (!self.active) self.active = child;
  });
};

function mergeOptions(base, extra) {
  var merged = {};
  Object.keys(base).forEach(function (k) { if (k !== "paymentMethods") merged[k] = base[k]; });
  Object.keys(extra).forEach(function (k) { merged[k] = extra[k]; });
  return merged;
}

DropIn.prototype._showError = function (err) {
  if (!this.root) return;
  var box = el("div", "pk-status pk-status-error", t(this.checkout.locale, err.code === "SESSION_EXPIRED" ? "expired" : "error", { reason: err.message }));
  box.setAttribute("role", "alert");
  this.root.appendChild(box);
};

DropIn.prototype.payment = function () {
  if (!this.active) return Promise.reject(new PayKKaError("NOT_READY", "no payment method is ready", "IMPLEMENTATION_ERROR"));
  return this.active.payment();
};

DropIn.prototype.unmount = function () {
  this.children.forEach(function (c) { c.unmount(); });
  this.children = [];
  this.active = null;
  if (this.root && this.root.parentNode) this.root.parentNode.removeChild(this.root);
  this.root = null;
  this.list = null;
  return this;
};

var METHOD_COMPONENTS = { BANKCARD: Card };
