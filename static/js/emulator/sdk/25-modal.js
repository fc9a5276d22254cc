/* The modal for a 3DS challenge (Card) or a wallet's payment sheet (SheetWallet): a
 * native <dialog> opened with showModal(), so the page behind is inert (focus stays in
 * the dialog) and Escape cancels. The page inside is on the gateway's origin; it answers
 * by postMessage to this page's exact origin, checked here against its window, origin
 * and channel. */

function ActionModal(checkout, options) {
  this.checkout = checkout;
  this.options = options; // { url, title, onResult(result), onCancel(), onTimeout() }
  this.channel = nextId("pkaction");
  this.dialog = null;
  this.frame = null;
  this.timer = null;
  this._onMessage = this._onMessage.bind(this);
  this._onCancel = this._onCancel.bind(this);
}

ActionModal.prototype.open = function () {
  var self = this;
  var t = this.checkout.t.bind(this.checkout);
  var session = this.checkout.session || {};
  var dialog = el("dialog", "pk-modal");
  dialog.setAttribute("aria-label", this.options.title);
  if (session.dir) dialog.dir = session.dir;
  if (session.locale) dialog.lang = session.locale;
  var bar = el("div", "pk-modal-bar");
  bar.appendChild(el("h2", "pk-modal-title", this.options.title));
  var close = el("button", "pk-modal-close");
  close.type = "button";
  close.setAttribute("aria-label", t("close"));
  close.textContent = "\u00d7";
  close.addEventListener("click", this._onCancel);
  bar.appendChild(close);
  dialog.appendChild(bar);
  var frame = el("iframe", "pk-modal-frame");
  frame.title = this.options.title;
  var params = new URLSearchParams({ origin: location.origin, channel: this.channel });
  frame.src = gatewayUrl(this.options.url) + (this.options.url.indexOf("?") < 0 ? "?" : "&") +
    "locale=" + encodeURIComponent(session.locale || "en-US") + "#" + params.toString();
  dialog.appendChild(frame);
  // A modal dialog keeps focus off the page, but Tab past its last element goes to the
  // browser's own UI; these edges send it round to the other end instead.
  dialog.insertBefore(this._edge(function () { frame.focus(); }), bar);
  dialog.appendChild(this._edge(function () { close.focus(); }));
  // Escape fires "cancel" on the dialog; we close it ourselves after cancelling the attempt.
  dialog.addEventListener("cancel", function (event) { event.preventDefault(); self._onCancel(); });
  window.addEventListener("message", this._onMessage);
  document.body.appendChild(dialog);
  this.dialog = dialog;
  this.frame = frame;
  dialog.showModal();
  frame.focus();
  this.timer = setTimeout(function () { self.close(); call(self.options.onTimeout); }, this.checkout._actionTimeout());
};

ActionModal.prototype._edge = function (onFocus) {
  var edge = el("span", "pk-modal-edge");
  edge.tabIndex = 0;
  edge.addEventListener("focus", onFocus);
  return edge;
};

ActionModal.prototype._onMessage = function (event) {
  var data = fromFrame(event, this.frame, this.channel);
  if (!data) return;
  if (data.type === "paykka:action-result" && data.result && typeof data.result === "object") {
    this.close();
    call(this.options.onResult, data.result);
  } else if (data.type === "paykka:action-cancel") {
    this._onCancel();
  } else if (data.type === "paykka:resize" && typeof data.height === "number" && data.height > 0 && data.height < 2000) {
    this.frame.style.height = Math.ceil(data.height) + "px";
  }
};

ActionModal.prototype._onCancel = function () {
  if (!this.dialog) return;
  this.close();
  call(this.options.onCancel);
};

/** Idempotent; removes the dialog, its frame, its listener and its timer. */
ActionModal.prototype.stop = ActionModal.prototype.close = function () {
  clearTimeout(this.timer);
  window.removeEventListener("message", this._onMessage);
  if (this.dialog) {
    if (this.dialog.open) this.dialog.close();
    if (this.dialog.parentNode) this.dialog.parentNode.removeChild(this.dialog);
  }
  this.dialog = null;
  this.frame = null;
};

/** Follows an attempt in the modal: its answer is handled as the gateway's; closing it
 * (or letting it time out) cancels the attempt. Returns the modal, the follow-up. */
function followInModal(component, result, title) {
  var modal = new ActionModal(component.checkout, {
    url: result.action.url,
    title: title,
    onResult: function (answer) { component._handle(answer); },
    onCancel: function () { component._cancelAttempt(result, false); },
    onTimeout: function () { component._cancelAttempt(result, true); }
  });
  modal.open();
  return modal;
}
