/* paykka-embed mount layer: mounts PayKKa's checkout, dispatches paykka:* events. Docs: paykka-embed.d.ts. */
(function (W, D) {
  "use strict";
  if (W.PayKKaEmbed) return;
  var script = D.currentScript, NONCE = script && (script.nonce || script.getAttribute("nonce")) || "";
  var CONFIG = json(script && script.getAttribute("data-paykka-config")) || {};
  var groups = {}, loads = {};

  function text(o, i, reason) { return ((o.messages || CONFIG.messages || [])[i] || "").replace("{r}", reason || ""); }

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

  function loadSdk(opts) {
    var c = opts.checkoutBase ? {} : CONFIG, base = opts.checkoutBase || CONFIG.checkoutBase;
    var src = c.sdkUrl || base + "/cp/card-checkout-ui.js", css = c.styleUrl || base + "/cp/style.css";
    if (W.PayKKaCardCheckoutUI) return Promise.resolve(W.PayKKaCardCheckoutUI);
    return loads[src] || (loads[src] = new Promise(function (resolve, reject) {
      if (!D.querySelector('link[rel=stylesheet][href="' + css + '"]')) tag("link", { rel: "stylesheet", href: css }, D.head);
      var s = tag("script", { src: src, async: true });
      s.onload = function () { W.PayKKaCardCheckoutUI ? resolve(W.PayKKaCardCheckoutUI) : s.onerror(); };
      s.onerror = function () { delete loads[src]; reject({ code: "SDK_LOAD_FAILED", type: "NETWORK_ERROR", message: src }); };
      D.head.appendChild(s);
    }));
  }

  function componentType(ui, name) {
    if (!name) return ui.DropIn;
    for (var k in ui) if (k.toLowerCase() === (name + "").toLowerCase() && !/^PayKKa/.test(k) && typeof ui[k] === "function") return ui[k];
  }

  // A stale CSRF token (a page left open) is fetched anew and the POST sent once more.
  function newSession(o, again) {
    return fetch(o.sessionsUrl || CONFIG.sessionsUrl, {
      method: "POST", credentials: "same-origin",
      headers: { "content-type": "application/json", "x-csrftoken": CONFIG.csrfToken || "" },
      body: JSON.stringify({ order: o.order, mode: o.mode, locale: o.locale, theme: o.theme })
    }).then(function (r) {
      return r.json().then(function (b) {
        var e = b.error || { code: "HTTP_" + r.status };
        if (r.ok) return b;
        if (e.code !== "csrf" || again || !CONFIG.csrfUrl) throw e;
        return fetch(CONFIG.csrfUrl, { credentials: "same-origin" }).then(function (t) { return t.json(); })
          .then(function (t) { CONFIG.csrfToken = t.csrfToken; return newSession(o, 1); });
      });
    });
  }

  // The mounts of one session share one PayKKaCheckout.
  function Group(opts) { this.opts = opts; this.mounts = []; this.gen = this.auto = 0; }
  Group.prototype.each = function (fn) { this.mounts.slice().forEach(fn); };
  Group.prototype.start = function () {
    var g = this, gen = ++g.gen, o = g.opts;
    g.busy = true;
    return loadSdk(o).then(function (ui) {
      if (gen !== g.gen) return;
      var live = function (fn) { return function (x) { if (gen === g.gen) { g.paying = 0; fn(x); } }; };
      g.ui = ui;
      g.checkout = new ui.PayKKaCheckout({
        sessionId: o.sessionId, clientKey: o.clientKey, env: o.env || CONFIG.env, locale: o.locale || CONFIG.locale || undefined,
        onSubmit: function (e) { g.paying = !e || !Object.keys(e).length; },
        onPaymentMethodsReady: live(function (methods) { g.each(function (m) { m.ready({ paymentMethods: methods }); }); }),
        onSuccess: live(function (p) { if (!p.__pk) g.mounts[0] && g.mounts[0].succeeded(p); }),
        onError: live(function (e) { if (!(e && e.__pk)) g.each(function (m) { m.failed(e); }); if (e && typeof e === "object") e.__pk = 1; }),
        onExpired: live(function () { g.expired(); }),
        onTimeout: live(function () { g.each(function (m) { m.failed({ code: "TIMEOUT", type: "CANCEL", message: "timed out" }); }); })
      });
      g.each(function (m) { m.attach(ui, gen); });
      return g.checkout.init();
    }).catch(function (err) {
      if (gen === g.gen && !(err && err.__pk)) g.each(function (m) { m.broken(err); });
    }).then(function () { g.busy = false; });
  };
  Group.prototype.stop = function () {
    this.gen++;
    try { this.checkout.destroy(); } catch (e) { /* none, or gone */ }
    this.checkout = null;
    this.each(function (m) { var c = m.el.querySelector(".paykka-container"); m.component = null; c && c.remove(); });
  };
  Group.prototype.expired = function () {
    var g = this, again = g.auto++;
    g.each(function (m) { emit(m.el, "expired", { sessionId: g.opts.sessionId }); m.say(text(m.o, 1), again && text(m.o, 0), g).__keep = !again; });
    again || g.refresh();  // once; then the shopper decides
  };
  // A fresh attempt, remounted; an order paid or in flight is said so, not paid twice.
  Group.prototype.refresh = function () {
    var g = this, o = g.opts;
    g.stop();
    return newSession(o).then(function (fresh) {
      for (var k in fresh) if (k !== "component") o[k] = fresh[k];
      return g.start();
    }).catch(function (err) {
      var c = err && err.code, paid = c === "already_paid";
      g.each(function (m) {
        if (!paid && c !== "payment_in_progress") return m.broken(err);
        m.say(text(m.o, paid ? 3 : 5), text(m.o, paid ? 4 : 6), paid ? err.orderUrl : g);
        emit(m.el, "error", { sessionId: o.sessionId, code: c.toUpperCase(), type: "API_ERROR", message: err.message, orderUrl: err.orderUrl });
      });
    });
  };

  function Mount(el, o, g) { this.el = el; this.o = o; this.g = g; }
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
    p = p || {};
    var to = this.o.successUrl || p.returnUrl;
    if (emit(this.el, "success", { sessionId: this.o.sessionId, orderId: p.orderId, status: p.status, paymentMethod: p.paymentMethod, returnUrl: p.returnUrl }, true) && to) W.location.assign(to);
  };
  // A decline is the SDK's to show (once, the form still usable); this tells the page.
  Mount.prototype.failed = function (err) {
    var d = problem(err, this.o.sessionId);
    if (d.type === "PAYMENT_FAILED") {
      d.orderId = err.orderId;
      if (emit(this.el, "failure", d, true) && this.o.failureUrl) W.location.assign(this.o.failureUrl);
    } else if (d.code === "METHOD_NOT_AVAILABLE" || d.type === "CANCEL") {
      this.el.hidden = d.type !== "CANCEL";
      emit(this.el, "error", d);
    } else if (d.type !== "VALIDATION_ERROR" && d.code !== "SESSION_EXPIRED") {
      this.broken(err);
    }
  };
  Mount.prototype.broken = function (err) {
    var d = problem(err, this.o.sessionId);
    this.say(text(this.o, 2, d.message), d.type !== "IMPLEMENTATION_ERROR" && text(this.o, 0), this.g);
    emit(this.el, "error", d);
  };
  Mount.prototype.say = function (message, label, next) {
    var box = this.el.querySelector(".paykka-message") || tag("div", { className: "paykka-message" });
    box.setAttribute("role", "alert");
    box.__keep = false;
    box.textContent = "";
    tag("p", { className: "paykka-message-text", textContent: message }, box);
    if (label && next) {
      var b = next.refresh ? tag("button", { type: "button", className: "paykka-retry" }, box) : tag("a", { className: "paykka-order-link", href: next }, box);
      b.textContent = label;
      b.onclick = next.refresh && function () { b.disabled = true; next.refresh(); };
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
    if (!g) { g = groups[key] = new Group(o); }
    var m = new Mount(el, o, g);
    g.mounts.push(m);
    var handle = el.__paykka = {
      pay: function () { return m.component && m.component.ref ? Promise.resolve(m.component.ref.payment()) : Promise.reject(new Error("not ready")); },
      unmount: function () {
        if (el.__paykka !== handle) return;
        delete el.__paykka;
        g.mounts.splice(g.mounts.indexOf(m), 1);
        try { m.component.unmount(); } catch (e) { /* none, or gone */ }
        m.component = null;
        el.textContent = "";
      },
      refresh: function () { return g.refresh(); }
    };
    if (g.checkout) loadSdk(o).then(function (ui) { m.attach(ui, g.gen); }); else if (!g.busy) g.start();
    return handle;
  }

  D.addEventListener("click", function (ev) {
    var b = ev.target.closest && ev.target.closest("[data-paykka-pay]");
    if (!b) return;
    var g = groups[b.getAttribute("data-paykka-pay")], want = b.getAttribute("data-paykka-component");
    if (!g) return;
    var m = g.mounts.filter(function (x) { return want ? x.o.component === want : x.o.hidePaymentButton; })[0] || g.mounts[0];
    if (m) m.el.__paykka.pay().catch(function (err) { m.broken(err); });
  });

  // Back from the bfcache mid-payment: an SDK without handlesPageRestore gets a fresh attempt.
  W.addEventListener("pageshow", function (ev) {
    for (var k in groups) if (ev.persisted && groups[k].paying && !groups[k].ui.handlesPageRestore) groups[k].refresh();
  });

  function autoMount() {
    var nodes = D.querySelectorAll("[data-paykka-mount]");
    for (var i = 0; i < nodes.length; i++) if (!nodes[i].__paykka) mount(nodes[i]);
  }

  W.PayKKaEmbed = { mount: mount, autoMount: autoMount, config: CONFIG };
  if (D.readyState === "loading") D.addEventListener("DOMContentLoaded", autoMount); else autoMount();
})(window, document);
