/* Wallet: the one container every wallet component is built on, whatever its flow. It
 * draws the wallet's head (its mark and name, outside the Drop-in), the flow's note, the
 * notice that the wallet is simulated, a place for the flow's panel, and the pay button;
 * paying asks the gateway to start an attempt of the wallet. Nothing here talks to a real
 * wallet. Each flow is a small piece on top (SheetWallet, QrWallet, RedirectWallet): its
 * note, its pay button's words, and how it follows the attempt (`action`, `_follow`). */

function Wallet(checkout, options, code) {
  Component.call(this, checkout, options, code);
}
Wallet.prototype = Object.create(Component.prototype);
Wallet.prototype.constructor = Wallet;
Wallet.prototype.kind = "wallet";

/** A flow's piece: a constructor extending Wallet with `members`. */
function walletFlow(flow, members) {
  var Flow = function (checkout, options, code) { Wallet.call(this, checkout, options, code); };
  Flow.prototype = Object.create(Wallet.prototype);
  Flow.prototype.constructor = Flow;
  Flow.prototype.flow = flow;
  Object.keys(members).forEach(function (name) { Flow.prototype[name] = members[name]; });
  return Flow;
}

Wallet.prototype._render = function () {
  var checkout = this.checkout;
  var name = this._methodName();
  if (!this.options._inDropIn) {
    var head = el("div", "pk-wallet-head");
    head.appendChild(icon(this.code));
    head.appendChild(el("bdi", "pk-wallet-name", name));
    this.root.appendChild(head);
  }
  var note = this._note(name);
  if (note) this.root.appendChild(el("p", "pk-note", note));
  this.root.appendChild(el("p", "pk-note pk-simulated", checkout.w("simulated", { method: name })));
  this.panelHost = el("div", "pk-wallet-panel");
  this.root.appendChild(this.panelHost);
  this._addLiveRegions();
  this._addPayButton(this.payLabel(), "pk-pay-" + this.flow);
  this._becomeReady();
};

/** What the shopper is told before paying (none by default). */
Wallet.prototype._note = function () { return ""; };

Wallet.prototype.payLabel = function () {
  return this.checkout.w("continueWith", { method: this._methodName() });
};

Wallet.prototype._unrender = function () {
  if (this.payButton) this.payButton.removeEventListener("click", this._onPayClick);
  this.panelHost = null;
};

Wallet.prototype._start = function () {
  var self = this;
  call(this.options.onSubmit, {});
  call(this.checkout.options.onSubmit, {});
  this._setBusy(true);
  apiPost("/cp/api/wallet", this._apiBody({ method: this.code })).then(function (result) {
    if (!self.root) return;
    result.paymentMethod = result.paymentMethod || self.code;
    self._handle(result);
  }, function (err) { self._fail(err); });
};
