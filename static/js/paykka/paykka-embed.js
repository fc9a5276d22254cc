/* paykka-embed mount layer: mounts PayKKa's checkout where the macros ask and dispatches
 * paykka:* events on each mount element. Options, events and types: paykka-embed.d.ts. */
(function (window, document) {
  "use strict";
  if (window.PayKKaEmbed) return;
  var script = document.currentScript;
  var nonce = script && (script.nonce || script.getAttribute("nonce")) || "";
  var config = parseJson(script && script.getAttribute("data-paykka-config")) || {};
  // Set on what a component's own callback has handled, so the checkout's skips it.
  var HANDLED = "__paykkaHandled";
  var groups = {}, sdkLoads = {};

  /** One of the mount layer's words, by name, in the mount's language; "{r}": the reason. */
  function message(options, name, reason) {
    var words = options.messages || config.messages || {};
    return (words[name] || "").replace("{r}", reason || "");
  }

  function parseJson(text) {
    try { return text ? JSON.parse(text) : null; } catch (error) { return null; }
  }

  function element(name, properties, parent) {
    var node = document.createElement(name);
    for (var key in properties) node[key] = properties[key];
    if (nonce) node.nonce = nonce;
    return parent ? parent.appendChild(node) : node;
  }

  function emit(target, name, detail, cancelable) {
    var init = { bubbles: true, cancelable: !!cancelable, detail: detail };
    return target.dispatchEvent(new CustomEvent("paykka:" + name, init));
  }

  function problem(error, sessionId) {
    return {
      sessionId: sessionId, code: String(error && error.code || "ERROR"),
      type: String(error && error.type || "SDK_ERROR"),
      message: String(error && (error.message || error.msg) || error)
    };
  }

  function loadSdk(options) {
    // A mount's own checkout host comes with its own script and style URLs, not the page's.
    var base = options.checkoutBase || config.checkoutBase;
    var own = options.checkoutBase ? {} : config;
    var source = own.sdkUrl || base + "/cp/card-checkout-ui.js";
    var style = own.styleUrl || base + "/cp/style.css";
    if (window.PayKKaCardCheckoutUI) return Promise.resolve(window.PayKKaCardCheckoutUI);
    return sdkLoads[source] || (sdkLoads[source] = new Promise(function (resolve, reject) {
      if (!document.querySelector('link[rel=stylesheet][href="' + style + '"]')) {
        element("link", { rel: "stylesheet", href: style }, document.head);
      }
      var tag = element("script", { src: source, async: true });
      tag.onload = function () {
        if (window.PayKKaCardCheckoutUI) resolve(window.PayKKaCardCheckoutUI); else tag.onerror();
      };
      tag.onerror = function () {
        delete sdkLoads[source];
        reject({ code: "SDK_LOAD_FAILED", type: "NETWORK_ERROR", message: source });
      };
      document.head.appendChild(tag);
    }));
  }

  function componentType(sdk, name) {
    if (!name) return sdk.DropIn;
    for (var key in sdk) {
      var wanted = key.toLowerCase() === String(name).toLowerCase();
      if (wanted && !/^PayKKa/.test(key) && typeof sdk[key] === "function") return sdk[key];
    }
  }

  // A stale CSRF token (a page left open) is fetched anew and the POST sent once more.
  function newSession(options, isRetry) {
    return fetch(options.sessionsUrl || config.sessionsUrl, {
      method: "POST", credentials: "same-origin",
      headers: { "content-type": "application/json", "x-csrftoken": config.csrfToken || "" },
      body: JSON.stringify({ order: options.order, mode: options.mode, locale: options.locale,
                             theme: options.theme })
    }).then(function (response) {
      return response.json().then(function (body) {
        var error = body.error || { code: "HTTP_" + response.status };
        if (response.ok) return body;
        if (error.code !== "csrf" || isRetry || !config.csrfUrl) throw error;
        return fetch(config.csrfUrl, { credentials: "same-origin" })
          .then(function (answer) { return answer.json(); })
          .then(function (fresh) {
            config.csrfToken = fresh.csrfToken;
            return newSession(options, true);
          });
      });
    });
  }

  // The mounts of one session share one PayKKaCheckout: a group.
  function Group(options) {
    this.options = options;
    this.mounts = [];
    this.generation = this.autoRefreshes = 0;
  }
  Group.prototype.each = function (action) { this.mounts.slice().forEach(action); };
  Group.prototype.start = function () {
    var group = this, generation = ++group.generation, options = group.options;
    group.busy = true;
    return loadSdk(options).then(function (sdk) {
      if (generation !== group.generation) return;
      var current = function (handler) {
        return function (value) {
          if (generation === group.generation) { group.paying = false; handler(value); }
        };
      };
      group.sdk = sdk;
      group.checkout = new sdk.PayKKaCheckout({
        sessionId: options.sessionId, clientKey: options.clientKey, env: options.env || config.env,
        locale: options.locale || config.locale || undefined,
        onSubmit: function (errors) { group.paying = !errors || !Object.keys(errors).length; },
        onPaymentMethodsReady: current(function (methods) {
          group.each(function (mount) { mount.ready({ paymentMethods: methods }); });
        }),
        onSuccess: current(function (payload) {
          if (!payload[HANDLED] && group.mounts[0]) group.mounts[0].succeeded(payload);
        }),
        onError: current(function (error) {
          if (!(error && error[HANDLED])) group.each(function (mount) { mount.failed(error); });
          if (error && typeof error === "object") error[HANDLED] = true;
        }),
        onExpired: current(function () { group.expired(); }),
        onTimeout: current(function () {
          var timeout = { code: "TIMEOUT", type: "CANCEL", message: "timed out" };
          group.each(function (mount) { mount.failed(timeout); });
        })
      });
      group.each(function (mount) { mount.attach(sdk, generation); });
      return group.checkout.init();
    }).catch(function (error) {
      if (generation === group.generation && !(error && error[HANDLED])) {
        group.each(function (mount) { mount.broken(error); });
      }
    }).then(function () { group.busy = false; });
  };
  Group.prototype.stop = function () {
    this.generation++;
    try { this.checkout.destroy(); } catch (error) { /* none, or gone */ }
    this.checkout = null;
    this.each(function (mount) {
      var container = mount.element.querySelector(".paykka-container");
      mount.component = null;
      if (container) container.remove();
    });
  };
  Group.prototype.expired = function () {
    var group = this, again = group.autoRefreshes++;
    group.each(function (mount) {
      emit(mount.element, "expired", { sessionId: group.options.sessionId });
      var retry = again && message(mount.options, "retry");
      mount.say(message(mount.options, "expired"), retry, group).__paykkaKeep = !again;
    });
    if (!again) group.refresh();  // once; then the shopper decides
  };
  // A fresh attempt, remounted; an order paid or in flight is said so, not paid twice.
  Group.prototype.refresh = function () {
    var group = this, options = group.options;
    group.stop();
    return newSession(options).then(function (fresh) {
      for (var key in fresh) if (key !== "component") options[key] = fresh[key];
      return group.start();
    }).catch(function (error) {
      var code = error && error.code, paid = code === "already_paid";
      group.each(function (mount) {
        if (!paid && code !== "payment_in_progress") return mount.broken(error);
        var next = paid ? error.orderUrl : group;
        mount.say(message(mount.options, paid ? "alreadyPaid" : "inProgress"),
                  message(mount.options, paid ? "viewOrder" : "checkAgain"), next);
        emit(mount.element, "error", { sessionId: options.sessionId, code: code.toUpperCase(),
                                       type: "API_ERROR", message: error.message,
                                       orderUrl: error.orderUrl });
      });
    });
  };

  function Mount(target, options, group) {
    this.element = target;
    this.options = options;
    this.group = group;
  }
  Mount.prototype.attach = function (sdk, generation) {
    var mount = this, options = mount.options, Type = componentType(sdk, options.component);
    [].slice.call(mount.element.childNodes).forEach(function (node) {
      if (!node.__paykkaKeep) mount.element.removeChild(node);
    });
    options.sessionId = mount.group.options.sessionId;
    mount.isReady = false;
    if (!Type) {
      return mount.broken({ code: "UNKNOWN_COMPONENT", type: "IMPLEMENTATION_ERROR",
                            message: "this checkout has no " + options.component + " component" });
    }
    var own = function (handler) {
      return function (value) {
        if (generation !== mount.group.generation) return;
        if (value && typeof value === "object") value[HANDLED] = true;
        handler(value);
      };
    };
    mount.component = mount.group.checkout.create(Type, {
      hidePaymentButton: !!options.hidePaymentButton, theme: options.theme,
      onReady: own(function (info) { mount.ready(info); }),
      onSuccess: own(function (payload) { mount.succeeded(payload); }),
      onError: own(function (error) { mount.failed(error); })
    });
    mount.component.mount(element("div", { className: "paykka-container" }, mount.element));
  };
  Mount.prototype.ready = function (info) {
    if (this.isReady) return;
    this.isReady = true;
    this.group.autoRefreshes = 0;
    emit(this.element, "ready", { sessionId: this.options.sessionId,
                                  component: this.options.component || "dropin",
                                  paymentMethods: info && info.paymentMethods });
  };
  Mount.prototype.succeeded = function (payload) {
    payload = payload || {};
    var next = this.options.successUrl || payload.returnUrl;
    var detail = { sessionId: this.options.sessionId, orderId: payload.orderId,
                   status: payload.status, paymentMethod: payload.paymentMethod,
                   returnUrl: payload.returnUrl };
    if (emit(this.element, "success", detail, true) && next) {
      this.left = next;
      window.location.assign(next);
    }
  };
  // A decline is the SDK's to show (once, the form still usable); this tells the page.
  Mount.prototype.failed = function (error) {
    var detail = problem(error, this.options.sessionId);
    if (detail.type === "PAYMENT_FAILED") {
      detail.orderId = error.orderId;
      var proceed = emit(this.element, "failure", detail, true);
      if (proceed && this.options.failureUrl) window.location.assign(this.options.failureUrl);
    } else if (detail.code === "METHOD_NOT_AVAILABLE" || detail.type === "CANCEL") {
      this.element.hidden = detail.type !== "CANCEL";
      emit(this.element, "error", detail);
    } else if (detail.type !== "VALIDATION_ERROR" && detail.code !== "SESSION_EXPIRED") {
      this.broken(error);
    }
  };
  Mount.prototype.broken = function (error) {
    var detail = problem(error, this.options.sessionId);
    var retry = detail.type !== "IMPLEMENTATION_ERROR" && message(this.options, "retry");
    this.say(message(this.options, "unavailable", detail.message), retry, this.group);
    emit(this.element, "error", detail);
  };
  // A message above the checkout, with a button (next: a group to refresh) or a link (next: a URL).
  Mount.prototype.say = function (text, label, next) {
    var box = this.element.querySelector(".paykka-message")
      || element("div", { className: "paykka-message" });
    box.setAttribute("role", "alert");
    box.__paykkaKeep = false;
    box.textContent = "";
    element("p", { className: "paykka-message-text", textContent: text }, box);
    if (label && next) {
      var action = next.refresh
        ? element("button", { type: "button", className: "paykka-retry" }, box)
        : element("a", { className: "paykka-order-link", href: next }, box);
      action.textContent = label;
      action.onclick = next.refresh && function () { action.disabled = true; next.refresh(); };
    }
    this.element.insertBefore(box, this.element.firstChild);
    return box;
  };

  function mount(target, given) {
    if (typeof target === "string") target = document.querySelector(target);
    if (!target) throw new Error("PayKKaEmbed.mount: no such element");
    if (target.__paykka) return target.__paykka;
    var options = {}, source = given || parseJson(target.getAttribute("data-paykka-mount")) || {};
    for (var key in source) options[key] = source[key];
    var groupKey = options.group || options.sessionId;
    var group = groups[groupKey] || (groups[groupKey] = new Group(options));
    var mounted = new Mount(target, options, group);
    group.mounts.push(mounted);
    var handle = target.__paykka = {
      pay: function () {
        var component = mounted.component;
        return component && component.ref ? Promise.resolve(component.ref.payment())
          : Promise.reject(new Error("not ready"));
      },
      unmount: function () {
        if (target.__paykka !== handle) return;
        delete target.__paykka;
        group.mounts.splice(group.mounts.indexOf(mounted), 1);
        try { mounted.component.unmount(); } catch (error) { /* none, or gone */ }
        mounted.component = null;
        target.textContent = "";
      },
      refresh: function () { return group.refresh(); }
    };
    if (group.checkout) {
      loadSdk(options).then(function (sdk) { mounted.attach(sdk, group.generation); });
    } else if (!group.busy) {
      group.start();
    }
    return handle;
  }

  // The merchant's own pay button (the pay_button macro) pays with the mount it names.
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-paykka-pay]");
    var group = button && groups[button.getAttribute("data-paykka-pay")];
    if (!group) return;
    var wanted = button.getAttribute("data-paykka-component");
    var chosen = group.mounts.filter(function (each) {
      return wanted ? each.options.component === wanted : each.options.hidePaymentButton;
    })[0] || group.mounts[0];
    if (chosen) chosen.element.__paykka.pay().catch(function (error) { chosen.broken(error); });
  });

  // Back from the bfcache: a checkout that was paid and left goes on to where it went then (the
  // shop's page for the order), never showing a used session; one left mid-payment gets a fresh
  // attempt when its SDK does not ask the gateway itself (handlesPageRestore).
  window.addEventListener("pageshow", function (event) {
    if (!event.persisted) return;
    for (var key in groups) {
      var group = groups[key], left = group.mounts.filter(function (each) { return each.left; })[0];
      if (left) return window.location.replace(left.left);
      if (group.paying && !group.sdk.handlesPageRestore) group.refresh();
    }
  });

  function autoMount() {
    var targets = document.querySelectorAll("[data-paykka-mount]");
    for (var index = 0; index < targets.length; index++) {
      if (!targets[index].__paykka) mount(targets[index]);
    }
  }

  window.PayKKaEmbed = { mount: mount, autoMount: autoMount, config: config };
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", autoMount);
  else autoMount();
})(window, document);
