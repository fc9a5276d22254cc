/* Card: the card fields live in an iframe on the gateway's origin; this side only hosts
 * the frame, shows the pay button and relays results. Messages are accepted only from
 * that frame's window at the exact gateway origin, and sent only to that origin.
 * Options: showCardBrands (default true), showHolderName, cardInfoLayout ("combine"),
 * styles (see 12-styles.js), hidePaymentButton, onSubmit, onSuccess, onError, onReady. */

function Card(checkout, options) {
  Component.call(this, checkout, options, "BANKCARD");
  this.channel = nextId("pkcard");
  this.frame = null;
  this._onMessage = this._onMessage.bind(this);
}
Card.prototype = Object.create(Component.prototype);
Card.prototype.constructor = Card;
Card.prototype.kind = "card";
// The card's follow-up: the issuer's 3DS challenge, in the modal.
Card.prototype.action = "THREEDS_CHALLENGE";
Card.prototype._follow = function (result) { return followInModal(this, result, this.checkout.t("threeDsTitle")); };

Card.prototype._render = function () {
  var checkout = this.checkout;
  var session = checkout.session;
  var opts = this.options;
  var stored = opts.storedCard;
  var styles = checkStyles(opts.styles);
  if (styles instanceof PayKKaError) {
    // Reported, then ignored: the card form still works with the default look.
    checkout._error(this, styles);
    styles = {};
  }
  var brands = (checkout.method("BANKCARD") || {}).brands || [];
  if (opts.showCardBrands !== false && !stored && !opts._inDropIn) {
    var row = el("div", "pk-brands");
    brands.forEach(function (b) { row.appendChild(icon(b, brandLabel(b))); });
    this.root.appendChild(row);
  }
  var params = new URLSearchParams({
    sid: session.sessionId, ck: checkout.options.clientKey, origin: location.origin, channel: this.channel,
    holder: opts.showHolderName ? "1" : "0", layout: opts.cardInfoLayout || "", brands: brands.join(","),
    styles: JSON.stringify(styles), theme: JSON.stringify(themeOf(this.root))
  });
  if (stored) {
    params.set("token", stored.token);
    params.set("brand", stored.brand);
    // Inside the Drop-in the option's label names the card already; the frame does not repeat it.
    if (!opts._inDropIn) params.set("last4", stored.last4);
  }
  var frame = el("iframe", "pk-card-frame");
  frame.title = checkout.t("frameTitle");
  frame.src = settings.cdnUrl + "/frames/card.html?locale=" + encodeURIComponent(session.locale) + "#" + params.toString();
  this.frame = frame;
  window.addEventListener("message", this._onMessage);
  this.root.appendChild(frame);
  if (!stored && !opts._inDropIn) this._addSaveChoice(this.root);
  this._addLiveRegions();
  this._addPayButton(checkout.w("pay", { amount: checkout.amountText() }));
};

/** The "save card" choice, when the session asks to store the card (a recurring session
 * always stores it, so it only says so). */
Card.prototype._addSaveChoice = function (host) {
  var mode = this.checkout.session.storeCard;
  if (mode === "always") {
    host.appendChild(el("p", "pk-note", this.checkout.t("cardSaved")));
  } else if (mode === "ask") {
    var label = el("label", "pk-save");
    var box = el("input");
    box.type = "checkbox";
    box.className = "pk-save-input";
    label.appendChild(box);
    label.appendChild(el("span", null, this.checkout.t("saveCard")));
    host.appendChild(label);
    this.saveBox = box;
  }
};

Card.prototype._storeChoice = function (extra) {
  if (typeof extra.store === "boolean") return extra.store;
  if (this.saveBox) return this.saveBox.checked;
  return this.checkout.session.storeCard === "always" ? true : (this.checkout.session.storeCard === "ask" ? false : undefined);
};

Card.prototype._unrender = function () {
  window.removeEventListener("message", this._onMessage);
  if (this.payButton) this.payButton.removeEventListener("click", this._onPayClick);
  this.frame = null;
  this.saveBox = null;
};

Card.prototype._send = function (message) {
  if (!this.frame || !this.frame.contentWindow) return;
  message.channel = this.channel;
  this.frame.contentWindow.postMessage(message, frameOrigin());
};

Card.prototype.focus = function () { this._send({ type: "paykka:focus" }); };

Card.prototype._start = function (extra) {
  this._send({ type: "paykka:pay", store: this._storeChoice(extra) });
};

Card.prototype._onMessage = function (event) {
  var data = fromFrame(event, this.frame, this.channel);
  if (!data) return;
  var opts = this.options;
  var checkoutOpts = this.checkout.options;
  switch (data.type) {
    case "paykka:frame-ready":
      this._becomeReady();
      break;
    case "paykka:resize":
      if (typeof data.height === "number" && data.height > 0 && data.height < 2000) {
        this.frame.style.height = Math.ceil(data.height) + "px";
      }
      break;
    case "paykka:submit-request":
      if (this.options._onSubmitRequest) this.options._onSubmitRequest(this);
      else if (this.ready) this.payment();
      break;
    case "paykka:validation":
      call(opts.onSubmit, data.errors || {});
      call(checkoutOpts.onSubmit, data.errors || {});
      this._settle({ status: "INVALID", errors: data.errors || {},
                     error: new PayKKaError("VALIDATION_ERROR", "card details are incomplete or invalid", "VALIDATION_ERROR") });
      break;
    case "paykka:submitting":
      call(opts.onSubmit, {});
      call(checkoutOpts.onSubmit, {});
      this._setBusy(true);
      break;
    case "paykka:result":
      this._handle(data.result || {});
      break;
    case "paykka:error":
      this._fail(new PayKKaError(String(data.code || "ERROR"), String(data.message || "payment failed"), data.errorType || "API_ERROR"));
      break;
  }
};

Card.prototype._paid = function () { this._send({ type: "paykka:clear" }); };
