/* QR wallets (WeChat Pay, Alipay+, VietQR): the attempt's QR code (a real one, of the
 * wallet simulator's page), then the gateway asked until the shopper's phone has paid. */

var QrWallet = walletFlow("qr", {
  action: "QR",
  _note: function (name) { return this.checkout.w("scanQr", { method: name }); },
  _follow: function (result) { return new QrCode(this, result); }
});

/** The QR code of one attempt and its polling: the follow-up of a QR wallet. */
function QrCode(component, result) {
  var checkout = component.checkout;
  var name = component._methodName();
  this.component = component;
  this.result = result;
  this.panel = el("div", "pk-qr");
  this.panel.appendChild(el("p", "pk-qr-title", checkout.w("scanQr", { method: name })));
  var box = el("div", "pk-qr-image");
  box.setAttribute("role", "img");
  box.setAttribute("aria-label", checkout.t("scanQr", { method: name }));
  var svg = new DOMParser().parseFromString(result.action.qrSvg || "<svg xmlns='http://www.w3.org/2000/svg'/>",
    "image/svg+xml").documentElement;
  svg.setAttribute("aria-hidden", "true");
  box.appendChild(document.importNode(svg, true));
  this.panel.appendChild(box);
  var link = el("a", "pk-qr-link", checkout.w("openSimulator", { method: name }));
  link.href = gatewayUrl(result.action.url) + "?locale=" + encodeURIComponent(checkout.session.locale);
  link.target = "_blank";
  link.rel = "noopener";
  this.panel.appendChild(link);
  this.panel.appendChild(el("p", "pk-qr-note", checkout.w("simulated", { method: name })));
  (component.panelHost || component.root).appendChild(this.panel);
  component._say(checkout.w("waiting", { method: name }), false);
  this.deadline = Date.now() + checkout._actionTimeout();
  this.delay = 600;
  this.timer = null;
  this._poll();
}

QrCode.prototype._poll = function () {
  var self = this, component = this.component;
  this.timer = setTimeout(function () {
    apiPost("/cp/api/status", component._apiBody({ orderId: self.result.orderId })).then(function (r) {
      if (!self.timer) return;  // stopped while asking
      if (r.status !== "PROCESSING") { self.timer = null; component._final(r); }
      else if (Date.now() > self.deadline) { self.timer = null; component._cancelAttempt(self.result, true); }
      else { self.delay = Math.min(self.delay * 1.3, 3000); self._poll(); }
    }, function () { if (self.timer) self._poll(); });
  }, this.delay);
};

QrCode.prototype.stop = function () {
  clearTimeout(this.timer);
  this.timer = null;
};

QrCode.prototype.remove = function () {
  if (this.panel.parentNode) this.panel.parentNode.removeChild(this.panel);
};
