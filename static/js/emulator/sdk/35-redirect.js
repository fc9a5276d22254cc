/* Redirect wallets (GCash, Maya, ShopeePay, GrabPay, ZaloPay): the shopper goes to the
 * wallet's (simulated) site, which ends at the session's return_url. A merchant may take
 * over the navigation (to save state first) by returning false from onRedirect. */

var RedirectWallet = walletFlow("redirect", {
  action: "REDIRECT",
  _note: function (name) { return this.checkout.w("redirectNote", { method: name }); },
  _follow: function (result) {
    var url = gatewayUrl(result.action.url);
    this._say(this.checkout.w("redirectNote", { method: this._methodName() }), false);
    var handler = this.options.onRedirect || this.checkout.options.onRedirect;
    if (call(handler, { url: url, orderId: result.orderId }) !== false) window.location.assign(url);
    return null;
  }
});
