/* paykka-embed mount layer: mounts PayKKa's checkout where the macros or PayKKaEmbed.mount() ask and
 * dispatches paykka:ready|success|failure|expired|error on the element. Types and docs: paykka-embed.d.ts. */
(function (W, D) {
  "use strict";
  if (W.PayKKaEmbed) return;
  var script = D.currentScript, NONCE = script && (script.nonce || script.getAttribute("nonce")) || "";
  var CONFIG = json(script && script.getAttribute("data-paykka-config")) || {};
  var groups = {}, loads = {};

  // [payment failed, try again, expired, could not load]: English unless the server sent the page's language.
  var EN = ["Payment failed: {r}", "Try again", "Your checkout session expired.", "The payment form could not be loaded: {r}"];
  function text(o, i, reason) { return ((o.messages || CONFIG.messages || EN)[i] || EN[i]).replace("{r}", reason || ""); }

  function json(s) { try { return s ? JSON.parse(s) : null; } catch (e) { return null; } }
  function tag(name, attrs, parent) {
    var n = D.createElement(name);
    for (var k in attrs) n[k] = attrs[k];
    if (NONCE) n.nonce = NONCE;
    return parent ? parent.appendChild(n) : n;
  }
  function emit(el, name, detail, cancelable) {
    return el.dispatchEvent(new CustomEvent("paykka:" + name, { bubbles: true, cancelable: !!cancelable, detail: detail }));
  }
  function problem(err, sessionId) {
    return { sessionId: sessionId, code: String(err && err.code || "ERROR"), type: String(err && err.type || "SDK_ERROR"),
             message: String(err && (err.message || err.msg) || err) };
  }

  /** The SDK, run once per page. */
  function loadSdk(opts) {
    var base = opts.checkoutBase || CONFIG.checkoutBase, src = CONFIG.sdkUrl && !opts.checkoutBase ? CONFIG.sdkUrl : base + "/cp/card-checkout-ui.js";
    var css = CONFIG.styleUrl && !opts.checkoutBase ? CONFIG.styleUrl : base + "/cp/style.css";
    if (W.PayKKaCardCheckoutUI) return Promise.resolve(W.PayKKaCardCheckoutUI);
    return loads[src] || (loads[src] = new Promise(function (resolve, reject) {
      if (!D.querySelector('link[rel=stylesheet][href="' + css + '"]')) tag("link", { rel: "stylesheet", href: css }, D.head);
      var s = tag("script", { src: src, async: true });
      s.onload = function () { W.PayKKaCardCheckoutUI ? resolve(W.PayKKaCardCheckoutUI) : reject(new Error(src + " did not define PayKKaCardCheckoutUI")); };
      s.onerror = function () { delete loads[src]; reject({ code: "SDK_LOAD_FAILED", type: "NETWORK_ERROR", message: "could not load " + src }); };
      D.head.appendChild(s);
    }));
  }

  /** A component name as the SDK exports it: "card" → Card, "applepay" → ApplePay, "vietqr" → VietQR. */
  function componentType(ui, name) {
    if (!name) return ui.DropIn;
    for (var k in ui) if (k.toLowerCase() === String(name).toLowerCase() && !/^PayKKa/.test(k) && typeof ui[k] === "function") return ui[k];
    return null;
  }

  /** The mounts of one session, sharing one PayKKaCheckout. */
  function Group(key, opts) {
    this.key = key; this.opts = opts; this.mounts = []; this.checkout = null; this.gen = this.auto = 0;
  }
  Group.prototype.each = function (fn) { this.mounts.slice().forEach(fn); };
  Group.prototype.start = function () {
    var g = this, gen = ++g.gen, o = g.opts;
    g.busy = true;
    return loadSdk(o).then(function (ui) {
      if (gen !== g.gen) return;
      var live = function (fn) { return function (x) { if (gen === g.gen) fn(x); }; };
      g.checkout = new ui.PayKKaCheckout({
        sessionId: o.sessionId, clientKey: o.clientKey, env: o.env || CONFIG.env, locale: o.locale || CONFIG.locale || undefined,
        onPaymentMethodsReady: live(function (methods) { g.each(function (m) { m.ready({ paymentMethods: methods }); }); }),
        onSuccess: live(function (p) { if (!p.__pk) g.mounts[0] && g.mounts[0].succeeded(p); }),
        onError: live(function (e) { if (!(e && e.__pk)) g.each(function (m) { m.failed(e); }); if (e && typeof e === "object") e.__pk = 1; }),
        onExpired: live(function () { g.expired(); }),
        onTimeout: live(function () { g.each(function (m) { m.failed({ code: "TIMEOUT", type: "TIMEOUT", message: "the payment timed out" }); }); })
      });
      g.each(function (m) { m.attach(ui, gen); });
      return g.checkout.init();
    }).catch(function (err) {
      // Unless onError reported it already (marked __pk).
      if (gen === g.gen && !(err && err.__pk)) g.each(function (m) { m.broken(err); });
    }).then(function () { g.busy = false; });
  };
  Group.prototype.stop = function () {
    this.gen++;
    try { this.checkout && this.checkout.destroy(); } catch (e) { /* already gone */ }
    this.checkout = null;
    this.each(function (m) { var c = m.el.querySelector(".paykka-container"); m.component = null; c && c.remove(); });
  };
  Group.prototype.expired = function () {
    var g = this, again = g.auto++;
    // The notice stays above the fresh form (kept by attach), so the shopper sees why it is empty.
    g.each(function (m) { emit(m.el, "expired", { sessionId: g.opts.sessionId }); m.say(text(m.o, 2), again).__keep = !again; });
    again || g.refresh();  // once; then the shopper decides
  };
  /** A fresh attempt from the server, remounted; the stale components go first. */
  Group.prototype.refresh = function () {
    var g = this, o = g.opts;
    g.stop();
    return fetch(o.sessionsUrl || CONFIG.sessionsUrl, {
      method: "POST", credentials: "same-origin",
      headers: { "content-type": "application/json", "x-csrftoken": CONFIG.csrfToken || "" },
      body: JSON.stringify({ order: o.order, mode: o.mode, locale: o.locale, theme: o.theme })
    }).then(function (r) {
      return r.json().then(function (b) { if (!r.ok) throw b.error || { code: "HTTP_" + r.status }; return b; });
    }).then(function (fresh) {
      for (var k in fresh) if (k !== "component") o[k] = fresh[k];
      return g.start();
    }).catch(function (err) { g.each(function (m) { m.broken(err); }); });
  };

  /** One element: one component (or the Drop-in) of a group. */
  function Mount(el, o, g) { this.el = el; this.o = o; this.g = g; this.component = null; this.isReady = false; }
  Mount.prototype.attach = function (ui, gen) {
    var m = this, Type = componentType(ui, m.o.component);
    [].slice.call(m.el.childNodes).forEach(function (n) { n.__keep || m.el.removeChild(n); });
    m.o.sessionId = m.g.opts.sessionId;
    m.isReady = false;
    if (!Type) return m.broken({ code: "UNKNOWN_COMPONENT", type: "IMPLEMENTATION_ERROR", message: "this checkout has no " + m.o.component + " component" });
    var mine = function (fn) { return function (x) { if (gen === m.g.gen) { if (x && typeof x === "object") x.__pk = 1; fn(x); } }; };
    m.component = m.g.checkout.create(Type, {
      hidePaymentButton: !!m.o.hidePaymentButton, theme: m.o.theme,
      onReady: mine(function (x) { m.ready(x); }),
      onSuccess: mine(function (p) { m.succeeded(p); }),
      onError: mine(function (e) { m.failed(e); })
    });
    m.component.mount(tag("div", { className: "paykka-container" }, m.el));
  };
  Mount.prototype.ready = function (x) {
    if (this.isReady) return;
    this.isReady = true;
    this.g.auto = 0;
    emit(this.el, "ready", { sessionId: this.o.sessionId, component: this.o.component || "dropin", paymentMethods: x && x.paymentMethods });
  };
  Mount.prototype.succeeded = function (p) {
    var d = { sessionId: this.o.sessionId, orderId: p && p.orderId, status: p && p.status, paymentMethod: p && p.paymentMethod, returnUrl: p && p.returnUrl };
    var to = this.o.successUrl || d.returnUrl;
    if (emit(this.el, "success", d, true) && to) W.location.assign(to);
  };
  Mount.prototype.failed = function (err) {
    var d = problem(err, this.o.sessionId);
    if (d.type === "PAYMENT_FAILED") {
      d.orderId = err.orderId;
      if (emit(this.el, "failure", d, true) && this.o.failureUrl) return W.location.assign(this.o.failureUrl);
      this.say(text(this.o, 0, d.message), true);
    } else if (d.code === "METHOD_NOT_AVAILABLE") {
      this.el.hidden = true;  // left out, not shown broken
      emit(this.el, "error", d);
    } else if (d.type !== "VALIDATION_ERROR" && d.code !== "SESSION_EXPIRED") {
      this.broken(err);
    }
  };
  Mount.prototype.broken = function (err) {
    var d = problem(err, this.o.sessionId);
    this.say(text(this.o, 3, d.message), d.type !== "IMPLEMENTATION_ERROR");
    emit(this.el, "error", d);
  };
  /** The visible, translated state: a message, and a button for a fresh attempt when one helps. */
  Mount.prototype.say = function (message, retry) {
    var g = this.g, box = this.el.querySelector(".paykka-message") || tag("div", { className: "paykka-message" });
    box.setAttribute("role", "alert");
    box.__keep = false;
    box.textContent = "";
    tag("p", { className: "paykka-message-text", textContent: message }, box);
    if (retry) {
      var b = tag("button", { type: "button", className: "paykka-retry", textContent: text(this.o, 1) }, box);
      b.addEventListener("click", function () { b.disabled = true; g.refresh(); });
    }
    this.el.insertBefore(box, this.el.firstChild);
    return box;
  };

  function mount(el, options) {
    if (typeof el === "string") el = D.querySelector(el);
    if (!el) throw new Error("PayKKaEmbed.mount: no such element");
    if (el.__paykka) return el.__paykka;
    var o = {}, given = options || json(el.getAttribute("data-paykka-mount")) || {};
    for (var k in given) o[k] = given[k];
    var key = o.group || o.sessionId, g = groups[key];
    if (!g) { g = groups[key] = new Group(key, o); }
    var m = new Mount(el, o, g);
    g.mounts.push(m);
    var handle = el.__paykka = {
      pay: function () { return m.component && m.component.ref ? Promise.resolve(m.component.ref.payment()) : Promise.reject(new Error("the checkout is not ready yet")); },
      // Idempotent; the checkout stays, so a remount reuses the session.
      unmount: function () {
        if (el.__paykka !== handle) return;
        delete el.__paykka;
        g.mounts.splice(g.mounts.indexOf(m), 1);
        try { m.component && m.component.unmount(); } catch (e) { /* already gone */ }
        m.component = null;
        el.textContent = "";
      },
      refresh: function () { return g.refresh(); }
    };
    if (g.checkout) loadSdk(o).then(function (ui) { m.attach(ui, g.gen); }); else if (!g.busy) g.start();
    return handle;
  }

  /** pay_button(): pays the named component, else the one whose own button is hidden. */
  D.addEventListener("click", function (ev) {
    var b = ev.target.closest && ev.target.closest("[data-paykka-pay]");
    if (!b) return;
    var g = groups[b.getAttribute("data-paykka-pay")], want = b.getAttribute("data-paykka-component");
    if (!g) return;
    var m = g.mounts.filter(function (x) { return want ? x.o.component === want : x.o.hidePaymentButton; })[0] || g.mounts[0];
    if (m) m.el.__paykka.pay().catch(function (err) { m.broken(err); });
  });

  function autoMount() {
    var nodes = D.querySelectorAll("[data-paykka-mount]");
    for (var i = 0; i < nodes.length; i++) if (!nodes[i].__paykka) mount(nodes[i]);
  }

  W.PayKKaEmbed = { mount: mount, autoMount: autoMount, config: CONFIG };
  if (D.readyState === "loading") D.addEventListener("DOMContentLoaded", autoMount); else autoMount();
})(window, document);
