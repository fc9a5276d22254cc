/* paykka-embed mount layer: mounts PayKKa's checkout where the macros (or your code) ask,
 * and reports what happens as DOM events on the mount element:
 *   paykka:ready, paykka:success (cancelable: cancel it to stay on the page),
 *   paykka:failure, paykka:expired, paykka:error — each with a typed `detail`.
 * A declined payment or an expired session gets a fresh session attempt from the
 * server ({prefix}/sessions) and a remount; the browser never says what an order costs. */
(function () {
  "use strict";
  if (window.PayKKaEmbed) return;

  var script = document.currentScript;
  var NONCE = script ? (script.nonce || script.getAttribute("nonce") || "") : "";
  var CONFIG = {};
  try { CONFIG = JSON.parse(script && script.getAttribute("data-paykka-config") || "{}"); } catch (e) { CONFIG = {}; }

  var TEXT = {
    en: { failed: "Payment failed: {reason}", retry: "Try again", expired: "Your checkout session expired.",
          refresh: "Start again", error: "The payment form could not be loaded: {reason}" }
  };
  function text(key, vars) {
    var lang = (document.documentElement.lang || "en").slice(0, 2);
    var table = TEXT[lang] || TEXT.en;
    return (table[key] || TEXT.en[key]).replace(/\{(\w+)\}/g, function (_, k) { return vars && vars[k] != null ? vars[k] : ""; });
  }

  var sdkPromises = {};
  function loadSdk(base) {
    if (window.PayKKaCardCheckoutUI) return Promise.resolve(window.PayKKaCardCheckoutUI);
    if (sdkPromises[base]) return sdkPromises[base];
    sdkPromises[base] = new Promise(function (resolve, reject) {
      var existing = document.querySelector('script[src="' + base + '/cp/card-checkout-ui.js"]');
      var tag = existing || document.createElement("script");
      function done() {
        if (window.PayKKaCardCheckoutUI) resolve(window.PayKKaCardCheckoutUI);
        else reject(new Error("the checkout script loaded but did not define PayKKaCardCheckoutUI"));
      }
      tag.addEventListener("load", done);
      tag.addEventListener("error", function () { delete sdkPromises[base]; reject(new Error("could not load " + base + "/cp/card-checkout-ui.js")); });
      if (!existing) {
        if (!document.querySelector('link[href="' + base + '/cp/style.css"]')) {
          var link = document.createElement("link");
          link.rel = "stylesheet";
          link.href = base + "/cp/style.css";
          if (NONCE) link.nonce = NONCE;
          document.head.appendChild(link);
        }
        tag.src = base + "/cp/card-checkout-ui.js";
        tag.async = true;
        if (NONCE) tag.nonce = NONCE;
        document.head.appendChild(tag);
      }
    });
    return sdkPromises[base];
  }

  function emit(element, name, detail, cancelable) {
    var event = new CustomEvent("paykka:" + name, { bubbles: true, cancelable: !!cancelable, detail: detail });
    return element.dispatchEvent(event);
  }

  function node(tag, className, content) {
    var n = document.createElement(tag);
    if (className) n.className = className;
    if (content != null) n.textContent = content;
    return n;
  }

  function errorDetail(err) {
    return { code: String(err && err.code || "ERROR"), type: String(err && err.type || "SDK_ERROR"),
             message: String(err && (err.message || err.msg) || err) };
  }

  function Mount(element, options) {
    this.element = element;
    this.options = options;
    this.checkout = null;
    this.component = null;
    this.generation = 0;
    this.mounted = false;
  }

  Mount.prototype.start = function () {
    var self = this;
    var opts = this.options;
    var generation = ++this.generation;
    var base = opts.checkoutBase || CONFIG.checkoutBase;
    this.mounted = true;
    return loadSdk(base).then(function (ui) {
      if (generation !== self.generation) return;
      self.element.textContent = "";
      var container = node("div", "paykka-container");
      self.element.appendChild(container);
      var checkout = new ui.PayKKaCheckout({
        sessionId: opts.sessionId,
        clientKey: opts.clientKey,
        env: opts.env || CONFIG.env,
        locale: opts.locale || CONFIG.locale || undefined,
        hidePaymentButton: !!opts.hidePaymentButton,
        onPaymentMethodsReady: function (methods) {
          if (generation === self.generation) emit(self.element, "ready", { sessionId: opts.sessionId, paymentMethods: methods });
        },
        onSuccess: function (payload) { if (generation === self.generation) self.succeeded(payload); },
        onError: function (err) { if (generation === self.generation) self.failed(err); },
        onExpired: function () { if (generation === self.generation) self.expired(); },
        onTimeout: function () { if (generation === self.generation) self.failed({ code: "TIMEOUT", type: "TIMEOUT", message: "the payment timed out" }); }
      });
      self.checkout = checkout;
      var Type = opts.mode === "component" ? ui[componentName(opts.component)] : ui.DropIn;
      if (!Type) throw new Error("this checkout has no component " + opts.component);
      self.component = checkout.create(Type, {});
      self.component.mount(container);
      return checkout.init();
    }).catch(function (err) {
      // Errors with a code came from the checkout and were reported through onError already.
      if (generation !== self.generation || (err && err.code)) return;
      self.showMessage(text("error", { reason: errorDetail(err).message }), null);
      emit(self.element, "error", errorDetail(err));
    });
  };

  function componentName(name) {
    var names = { card: "Card", applepay: "ApplePay", googlepay: "GooglePay" };
    return names[String(name || "card").toLowerCase()] || name;
  }

  Mount.prototype.succeeded = function (payload) {
    var detail = { sessionId: this.options.sessionId, orderId: payload && payload.orderId, status: payload && payload.status,
                   paymentMethod: payload && payload.paymentMethod, returnUrl: payload && payload.returnUrl };
    if (emit(this.element, "success", detail, true) && detail.returnUrl) {
      window.location.assign(detail.returnUrl);
    }
  };

  Mount.prototype.failed = function (err) {
    var detail = errorDetail(err);
    if (detail.type === "PAYMENT_FAILED") {
      detail.orderId = err.orderId;
      emit(this.element, "failure", detail);
      this.offerRetry(text("failed", { reason: detail.message }), text("retry"));
    } else if (detail.type !== "VALIDATION_ERROR" && detail.code !== "SESSION_EXPIRED") {
      this.showMessage(text("error", { reason: detail.message }), text("retry"));
      emit(this.element, "error", detail);
    }
  };

  Mount.prototype.expired = function () {
    emit(this.element, "expired", { sessionId: this.options.sessionId });
    this.offerRetry(text("expired"), text("refresh"));
  };

  Mount.prototype.showMessage = function (message, buttonLabel) {
    var box = this.element.querySelector(".paykka-message");
    if (!box) {
      box = node("div", "paykka-message");
      box.setAttribute("role", "alert");
      this.element.insertBefore(box, this.element.firstChild);
    }
    box.textContent = "";
    box.appendChild(node("p", "paykka-message-text", message));
    if (buttonLabel) {
      var button = node("button", "paykka-retry", buttonLabel);
      button.type = "button";
      var self = this;
      button.addEventListener("click", function () { button.disabled = true; self.refresh(); });
      box.appendChild(button);
    }
    return box;
  };

  Mount.prototype.offerRetry = function (message, label) {
    this.showMessage(message, label);
  };

  /** Ask the merchant's server for a fresh attempt of the same order, then remount. */
  Mount.prototype.refresh = function () {
    var self = this;
    var opts = this.options;
    var url = opts.sessionsUrl || CONFIG.sessionsUrl;
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "content-type": "application/json", "x-csrftoken": CONFIG.csrfToken || "" },
      body: JSON.stringify({ order: opts.order, mode: opts.mode, component: opts.component, locale: opts.locale })
    }).then(function (resp) {
      return resp.json().then(function (json) {
        if (!resp.ok) throw json.error || { code: "HTTP_" + resp.status, message: "could not start a new payment" };
        return json;
      });
    }).then(function (fresh) {
      self.teardown();
      Object.keys(fresh).forEach(function (k) { opts[k] = fresh[k]; });
      return self.start();
    }).catch(function (err) {
      self.showMessage(text("error", { reason: errorDetail(err).message }), text("retry"));
      emit(self.element, "error", errorDetail(err));
    });
  };

  Mount.prototype.teardown = function () {
    this.generation++;
    if (this.checkout) {
      try { this.checkout.destroy(); } catch (e) { /* already gone */ }
    }
    this.checkout = null;
    this.component = null;
    this.element.textContent = "";
  };

  function mount(element, options) {
    if (typeof element === "string") element = document.querySelector(element);
    if (!element) throw new Error("PayKKaEmbed.mount: no such element");
    if (element.__paykka) return element.__paykka.handle;
    if (!options) {
      try { options = JSON.parse(element.getAttribute("data-paykka-mount") || "{}"); } catch (e) { options = {}; }
    }
    var state = new Mount(element, options);
    var handle = {
      pay: function () {
        if (!state.component || !state.component.ref) return Promise.reject(new Error("the checkout is not ready yet"));
        return Promise.resolve(state.component.ref.payment());
      },
      unmount: function () {
        if (!element.__paykka) return;
        state.teardown();
        state.mounted = false;
        delete element.__paykka;
      },
      refresh: function () { return state.refresh(); }
    };
    element.__paykka = { state: state, handle: handle };
    state.start();
    return handle;
  }

  function autoMount() {
    var nodes = document.querySelectorAll("[data-paykka-mount]");
    for (var i = 0; i < nodes.length; i++) if (!nodes[i].__paykka) mount(nodes[i]);
  }

  window.PayKKaEmbed = { mount: mount, autoMount: autoMount, config: CONFIG };
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", autoMount);
  else autoMount();
})();
