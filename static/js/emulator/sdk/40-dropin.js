/* DropIn: the payment methods the session allows, as one radio group (stored cards first),
 * each opening its component below it, and one pay button for whichever is chosen.
 * Components of methods the shopper never opens are never created (no iframe, no request).
 * Options: everything Card takes, plus paymentMethods: { card: {...}, aliPay: {...}, ... }
 * with per-method options and callbacks (keys are any of the catalogue's spellings of the
 * method, matched loosely: aliPay = alipayPlus = ALIPAY_PLUS). */

function DropIn(checkout, options) {
  Component.call(this, checkout, options, null);
  this.options = options || {};
  this.children = {};
  this.activeKey = null;
}
DropIn.prototype = Object.create(Component.prototype);
DropIn.prototype.constructor = DropIn;
DropIn.prototype.kind = "dropin";

/** The merchant's options for one method out of `paymentMethods`, whatever the key's spelling. */
function methodOptions(all, code) {
  var found = {};
  Object.keys(all || {}).forEach(function (key) { if (codeOf(key) === code) found = all[key] || {}; });
  return found;
}

DropIn.prototype._render = function () {
  var self = this;
  var checkout = this.checkout;
  var session = checkout.session;
  var t = checkout.t.bind(checkout);
  this.groupName = nextId("pkmethod");
  var group = el("fieldset", "pk-methods");
  group.appendChild(el("legend", "pk-legend", t("methods")));
  this.options_ = [];
  session.storedCards.forEach(function (card) {
    var label = checkout.w("savedCard", { brand: brandLabel(card.brand), last4: card.last4 });
    var expiry = ("0" + card.expMonth).slice(-2) + "/" + String(card.expYear).slice(-2);
    self._addOption(group, "stored:" + card.token, "BANKCARD", label, checkout.w("expires", { date: expiry }), [card.brand], card);
  });
  session.paymentMethods.forEach(function (m) {
    if (!COMPONENT_OF[m.code]) return;  // a method this stand-in has no component for
    var icons = m.code === "BANKCARD" && self.options.showCardBrands !== false ? m.brands : [m.code];
    self._addOption(group, m.code, m.code, m.name, "", icons, null);
  });
  this.root.appendChild(group);
  this._addLiveRegions();
  if (!this.checkout.options.hidePaymentButton && !this.options.hidePaymentButton) {
    var button = el("button", "pk-pay-button");
    button.type = "button";
    button.disabled = true;
    button.addEventListener("click", this._onPayClick);
    this.payButton = button;
    this.root.appendChild(button);
  }
  if (this.options_.length) this._select(this.options_[0].key);
};

DropIn.prototype._addOption = function (group, key, code, name, detail, icons, stored) {
  var self = this;
  var item = el("div", "pk-option");
  item.setAttribute("data-method", code);
  if (stored) item.setAttribute("data-stored", "true");
  var label = el("label", "pk-option-label");
  var radio = el("input", "pk-radio");
  radio.type = "radio";
  radio.name = this.groupName;
  radio.value = key;
  radio.addEventListener("change", function () { if (radio.checked) self._select(key); });
  label.appendChild(radio);
  // A bare name is isolated (a Latin "Alipay+" keeps its "+" in place in Arabic); a
  // translated label isolates its own values.
  label.appendChild(el(typeof name === "string" ? "bdi" : "span", "pk-option-name", name));
  if (detail) label.appendChild(el("span", "pk-option-detail", detail));
  var marks = el("span", "pk-option-icons");
  (icons || []).forEach(function (c) { marks.appendChild(icon(c)); });
  label.appendChild(marks);
  item.appendChild(label);
  var body = el("div", "pk-option-body");
  body.hidden = true;
  item.appendChild(body);
  group.appendChild(item);
  this.options_.push({ key: key, code: code, item: item, radio: radio, body: body, stored: stored });
};

DropIn.prototype._entry = function (key) {
  for (var i = 0; i < this.options_.length; i++) if (this.options_[i].key === key) return this.options_[i];
  return null;
};

DropIn.prototype._select = function (key) {
  var self = this;
  var entry = this._entry(key);
  if (!entry || this.busy) return;
  this.activeKey = key;
  this.options_.forEach(function (o) {
    var on = o.key === key;
    o.radio.checked = on;
    o.body.hidden = !on;
    o.item.className = "pk-option" + (on ? " pk-selected" : "");
  });
  if (!this.children[key]) this.children[key] = this._createChild(entry);
  var child = this.children[key];
  if (this.payButton) {
    this.payButton.replaceChildren(child.payLabel ? child.payLabel() : this.checkout.w("pay", { amount: this.checkout.amountText() }));
    this.payButton.disabled = !child.ready;
  }
  if (child.ready) self.ready = true;
};

DropIn.prototype._createChild = function (entry) {
  var self = this;
  var own = methodOptions(this.options.paymentMethods, entry.code);
  var merged = {};
  Object.keys(this.options).forEach(function (k) { if (k !== "paymentMethods") merged[k] = self.options[k]; });
  Object.keys(own).forEach(function (k) { merged[k] = own[k]; });
  merged._inDropIn = true;
  merged._onChildReady = function (child) {
    if (self._activeChild() === child) {
      self.ready = true;
      if (self.payButton && !self.busy) self.payButton.disabled = false;
    }
    self._becomeReadyOnce();
  };
  merged._onSubmitRequest = function () { self.payment(); };
  merged._onBusy = function (busy) { self._setBusy(busy); };
  if (entry.stored) merged.storedCard = entry.stored;
  var child = new COMPONENT_OF[entry.code](this.checkout, merged);
  child.mount(entry.body);
  if (entry.code === "BANKCARD" && !entry.stored) Card.prototype._addSaveChoice.call(this, entry.body);
  return child;
};

/** The Drop-in's own "ready" moment (onReady, the interactive mark) is its first child's. */
DropIn.prototype._becomeReadyOnce = function () {
  if (this._readyOnce) return;
  this._readyOnce = true;
  this.checkout._interactive();
  call(this.options.onReady, { component: "dropin" });
};

DropIn.prototype._activeChild = function () { return this.activeKey ? this.children[this.activeKey] : null; };

DropIn.prototype._setBusy = function (busy) {
  this.busy = busy;
  if (this.payButton) {
    var child = this._activeChild();
    this.payButton.disabled = busy || !(child && child.ready);
    this.payButton.setAttribute("aria-busy", busy ? "true" : "false");
  }
  this.options_.forEach(function (o) { o.radio.disabled = busy; });
};

DropIn.prototype.payLabel = null;

/** Pays with the chosen method; same promise contract as a component's payment(). */
DropIn.prototype.payment = function () {
  var self = this;
  var child = this._activeChild();
  if (!child) return Promise.reject(new PayKKaError("NOT_READY", "no payment method is ready", "IMPLEMENTATION_ERROR"));
  var extra = {};
  if (this.saveBox && child.code === "BANKCARD" && !child.options.storedCard) extra.store = this.saveBox.checked;
  return child.payment(extra).then(function (outcome) {
    if (outcome && isPaid(outcome.status) && self.payButton) {
      self.payButton.disabled = true;
      self.options_.forEach(function (o) { o.radio.disabled = true; });
    }
    return outcome;
  });
};

DropIn.prototype._unrender = function () {
  var children = this.children;
  Object.keys(children).forEach(function (k) { children[k]._teardown(); });
  this.children = {};
  this.activeKey = null;
  this.saveBox = null;
  this.options_ = [];
};

DropIn.prototype._showError = function (err) {
  Component.prototype._showError.call(this, err);
};
