/* Wallet components. Nothing here talks to a real wallet: Apple Pay and Google Pay open
 * the gateway's simulated payment sheet, the QR wallets show a real QR code of a
 * simulated order, the redirect wallets go to a simulated provider page. Each says so. */

function Wallet(checkout, options, code) {
  Component.call(this, checkout, options, code);
}
Wallet.prototype = Object.create(Component.prototype);
Wallet.prototype.constructor = Wallet;
Wallet.prototype.kind = "wallet";

Wallet.prototype._render = function () {
  var checkout = this.checkout;
  var method = checkout.method(this.code);
  var t = checkout.w.bind(checkout);
  if (!this.options._inDropIn) {
    var head = el("div", "pk-wallet-head");
    head.appendChild(icon(this.code));
    head.appendChild(el("bdi", "pk-wallet-name", method.name));
    this.root.appendChild(head);
  }
  var note = method.kind === "qr" ? t("scanQr", { method: method.name })
    : method.kind === "redirect" ? t("redirectNote", { method: method.name }) : "";
  if (note) this.root.appendChild(el("p", "pk-note", note));
  this.root.appendChild(el("p", "pk-note pk-simulated", t("simulated", { method: method.name })));
  this.qrHost = el("div", "pk-qr-host");
  this.root.appendChild(this.qrHost);
  this._addLiveRegions();
  this._addPayButton(this.payLabel(), "pk-pay-" + method.kind);
  this._becomeReady();
};

Wallet.prototype.payLabel = function () {
  var method = this.checkout.method(this.code);
  return method.kind === "sheet" ? this.checkout.w("pay", { amount: this.checkout.amountText() })
    : this.checkout.w("continueWith", { method: method.name });
};

Wallet.prototype._unrender = function () {
  if (this.payButton) this.payButton.removeEventListener("click", this._onPayClick);
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

/** One constructor per wallet, named as merchants import them. */
function walletType(code, name) {
  var Type = function (checkout, options) { Wallet.call(this, checkout, options, code); };
  Type.prototype = Object.create(Wallet.prototype);
  Type.prototype.constructor = Type;
  Type.code = code;
  Type.displayName = name;
  return Type;
}

var WALLETS = {
  ApplePay: walletType("APPLE_PAY", "ApplePay"),
  GooglePay: walletType("GOOGLE_PAY", "GooglePay"),
  WechatPay: walletType("WECHAT_PAY", "WechatPay"),
  AlipayPlus: walletType("ALIPAY_PLUS", "AlipayPlus"),
  VietQR: walletType("VIETQR", "VietQR"),
  GCash: walletType("GCASH", "GCash"),
  Maya: walletType("MAYA", "Maya"),
  ShopeePay: walletType("SHOPEEPAY", "ShopeePay"),
  GrabPay: walletType("GRABPAY", "GrabPay"),
  ZaloPay: walletType("ZALOPAY", "ZaloPay")
};
