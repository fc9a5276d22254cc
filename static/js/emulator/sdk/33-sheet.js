/* Sheet wallets (Apple Pay, Google Pay): the gateway's simulated payment sheet, in the
 * modal; the pay button names the amount, as the wallets' own buttons do. */

var SheetWallet = walletFlow("sheet", {
  action: "WALLET_SHEET",
  payLabel: function () { return this.checkout.w("pay", { amount: this.checkout.amountText() }); },
  _follow: function (result) { return followInModal(this, result, this._methodName()); }
});
