/* The card form inside the gateway's iframe. Card data is read here and sent only to
 * this frame's own origin (/cp/api/pay); the merchant page receives results and
 * validation codes, never card data. Messages are accepted only from the parent
 * window at the exact origin it declared, and sent only to that origin. */
(function () {
  "use strict";
  var params = new URLSearchParams(location.hash.slice(1));
  var sessionId = params.get("sid") || "";
  var clientKey = params.get("ck") || "";
  var parentOrigin = params.get("origin") || "";
  var channel = params.get("channel") || "";
  var token = params.get("token") || "";
  var ancestors = location.ancestorOrigins;
  if (window.parent === window || !parentOrigin ||
      (ancestors && ancestors.length && ancestors[0] !== parentOrigin)) {
    document.body.textContent = "This payment form can only be used inside the merchant's checkout.";
    return;
  }
  // Drop the parameters from the address so the client key does not linger in history.
  history.replaceState(null, "", location.pathname + location.search);

  var T = JSON.parse(document.getElementById("pk-messages").textContent);
  // The brands this checkout knows, from the payment-method catalogue: code, label, the
  // pattern of their numbers' first digits, and their security code's length.
  var BRANDS = JSON.parse(document.getElementById("pk-brands").textContent).map(function (b) {
    return { code: b.code, label: b.label, pattern: new RegExp(b.pattern), cvcLength: b.cvcLength };
  });
  function brandInfo(code) {
    for (var i = 0; i < BRANDS.length; i++) if (BRANDS[i].code === code) return BRANDS[i];
    return null;
  }
  function brandLabel(code) { var b = brandInfo(code); return b ? b.label : code; }
  // In a right-to-left page a value (a brand, a number) sits between first-strong isolates.
  var RTL = document.documentElement.dir === "rtl";
  function t(key, vars) {
    return (T[key] || key).replace(/\{(\w+)\}/g, function (_, k) {
      return vars && vars[k] != null ? (RTL ? "\u2068" + vars[k] + "\u2069" : vars[k]) : "";
    });
  }

  var form = document.getElementById("card-form");
  var brandAnnounce = document.getElementById("brand-announce");
  // Only the fields the shopper sees exist: the holder's name when asked for (and not for a
  // stored card), the number and expiry only for a new card.
  if (params.get("holder") === "1" && !token) {
    form.insertBefore(document.getElementById("holder-row").content.cloneNode(true), brandAnnounce);
  }
  if (token) Array.prototype.forEach.call(document.querySelectorAll("[data-part=card]"), function (n) { n.remove(); });
  var fields = {
    number: document.getElementById("card-number"),
    expiry: document.getElementById("card-expiry"),
    cvv: document.getElementById("card-cvv"),
    holder: document.getElementById("card-holder")
  };
  Object.keys(fields).forEach(function (k) { if (!fields[k]) delete fields[k]; });
  var ERROR_KEYS = { number: "cardNumber", expiry: "expiryDate", cvv: "securityCode", holder: "holderName" };
  var brandIcon = document.getElementById("brand-icon");
  var accepted = (params.get("brands") || "").split(",").filter(Boolean);
  var storedBrand = params.get("brand") || "";
  if (params.get("layout") === "combine") form.className = "combine";
  if (token && params.get("last4")) {
    // A stored card pays with its security code only. The frame names the card unless the
    // page around it does already (the Drop-in's option label).
    var stored = document.getElementById("stored-card");
    stored.hidden = false;
    stored.textContent = t("savedCard", { brand: brandLabel(storedBrand), last4: params.get("last4") });
    fields.cvv.setAttribute("aria-describedby", "stored-card card-cvv-error");
  }
  var busy = false;


  /* Theming: the parent forwards its CSS custom properties and the merchant's `styles`.
   * Both become custom properties here that frame.css reads; the same whitelist as the
   * SDK's is applied again, since this frame trusts nothing it is handed. */
  var STYLE_PROPS = ["color", "background-color", "border-color", "border-radius", "font-family", "font-size",
    "font-weight", "letter-spacing", "line-height", "padding"];
  var STATES = ["base", "focus", "valid", "invalid", "placeholder"];
  var THEME_VARS = ["--pk-accent", "--pk-text", "--pk-border", "--pk-error", "--pk-radius", "--pk-font", "--pk-input-bg"];
  function safeValue(v) {
    v = String(v);
    return v.length <= 120 && /^[#(),.%\-\w\s"'\/+]+$/.test(v) && !/url\(|expression|image|@|\\/i.test(v);
  }
  function applyTheme() {
    var root = document.documentElement.style;
    try {
      var theme = JSON.parse(params.get("theme") || "{}");
      THEME_VARS.forEach(function (name) { if (theme[name] && safeValue(theme[name])) root.setProperty(name, theme[name]); });
      var styles = JSON.parse(params.get("styles") || "{}");
      STATES.forEach(function (state) {
        var rules = styles[state] || {};
        STYLE_PROPS.forEach(function (prop) {
          if (rules[prop] != null && safeValue(rules[prop])) root.setProperty("--pk-" + state + "-" + prop, String(rules[prop]));
        });
      });
    } catch (e) { /* ignore malformed theming: the defaults stay */ }
  }
  applyTheme();

  function digits(value) { return String(value || "").replace(/\D+/g, ""); }
  function brandOf(number) {
    for (var i = 0; i < BRANDS.length; i++) if (BRANDS[i].pattern.test(number)) return BRANDS[i].code;
    return "";
  }
  function luhn(number) {
    if (number.length < 12 || number.length > 19) return false;
    var sum = 0;
    for (var i = 0; i < number.length; i++) {
      var d = +number[number.length - 1 - i];
      if (i % 2) { d *= 2; if (d > 9) d -= 9; }
      sum += d;
    }
    return sum % 10 === 0;
  }
  function send(message) {
    message.channel = channel;
    window.parent.postMessage(message, parentOrigin);
  }
  var lastHeight = 0;
  function resize() {
    // The form's own height: the document's never drops below the frame's current height.
    var h = Math.ceil(form.getBoundingClientRect().height);
    if (h !== lastHeight) { lastHeight = h; send({ type: "paykka:resize", height: h }); }
  }

  function setError(name, text) {
    var input = fields[name];
    var box = document.getElementById(input.id + "-error");
    box.textContent = text || "";
    // role=alert only while there is something to say, so screen readers announce it once.
    if (text) box.setAttribute("role", "alert"); else box.removeAttribute("role");
    if (text) input.setAttribute("aria-invalid", "true"); else input.removeAttribute("aria-invalid");
  }

  function parseExpiry(value) {
    var m = /^\s*(\d{1,2})\s*\/\s*(\d{2}|\d{4})\s*$/.exec(value);
    if (!m) return null;
    var month = +m[1];
    var year = m[2].length === 2 ? 2000 + +m[2] : +m[2];
    if (month < 1 || month > 12) return null;
    return { month: month, year: year };
  }

  function err(list, key, code, text) { list[key] = [{ code: code, message: text, msg: text }]; }

  function validate() {
    var errors = {};
    var number = token ? "" : digits(fields.number.value);
    var exp = null;
    if (!token) {
      var brand = brandOf(number);
      if (!number) err(errors, "cardNumber", "required", t("numberRequired"));
      else if (!luhn(number)) err(errors, "cardNumber", "invalid", t("numberInvalid"));
      else if (accepted.length && brand && accepted.indexOf(brand) < 0) {
        err(errors, "cardNumber", "unsupported_brand", t("brandUnsupported", { brand: brandLabel(brand) }));
      }
      exp = parseExpiry(fields.expiry.value);
      var now = new Date();
      if (!fields.expiry.value.trim()) err(errors, "expiryDate", "required", t("expiryRequired"));
      else if (!exp) err(errors, "expiryDate", "invalid", t("expiryInvalid"));
      else if (exp.year < now.getFullYear() || (exp.year === now.getFullYear() && exp.month < now.getMonth() + 1)) {
        err(errors, "expiryDate", "expired", t("expiryPast"));
      }
    }
    var cvv = digits(fields.cvv.value);
    var cardBrand = brandInfo(token ? storedBrand : brandOf(number));
    var wantLength = cardBrand ? cardBrand.cvcLength : 3;
    if (!cvv) err(errors, "securityCode", "required", t("cvvRequired"));
    else if (cvv.length !== wantLength) err(errors, "securityCode", "invalid", t("cvvInvalid", { n: wantLength }));
    Object.keys(fields).forEach(function (name) {
      var e = errors[ERROR_KEYS[name]];
      setError(name, e && e[0].message);
    });
    resize();
    return { errors: errors, number: number, exp: exp, cvv: cvv };
  }

  if (!token) fields.number.addEventListener("input", function () {
    var number = digits(fields.number.value).slice(0, 19);
    var brand = brandOf(number);
    fields.number.value = brand === "AMEX"
      ? number.replace(/^(\d{1,4})(\d{1,6})?(\d{1,5})?.*/, function (_, a, b, c) { return [a, b, c].filter(Boolean).join(" "); })
      : number.replace(/(\d{4})(?=\d)/g, "$1 ");
    brandIcon.hidden = !brand;
    if (brand) brandIcon.firstChild.setAttribute("href", "#pk-icon-" + brand);
    var name = brand ? brandLabel(brand) : "";
    if (brandAnnounce.textContent !== name) brandAnnounce.textContent = name;
    if (fields.number.getAttribute("aria-invalid")) setError("number", "");
  });
  if (!token) fields.expiry.addEventListener("input", function (event) {
    var d = digits(fields.expiry.value).slice(0, 4);
    // Typing "1" then "/" must not be undone; deleting past the slash must stay possible.
    if (event.inputType && event.inputType.indexOf("delete") === 0) return;
    fields.expiry.value = d.length > 2 ? d.slice(0, 2) + "/" + d.slice(2) : (d.length === 2 ? d + "/" : d);
  });
  Object.keys(fields).forEach(function (name) {
    var input = fields[name];
    if (name !== "number") input.addEventListener("input", function () { if (input.getAttribute("aria-invalid")) setError(name, ""); });
  });

  function post(body) {
    return fetch("/cp/api/pay", {
      method: "POST", credentials: "omit", headers: { "content-type": "application/json" }, body: JSON.stringify(body)
    }).then(function (resp) {
      return resp.json().then(function (json) { return { ok: resp.ok, json: json }; });
    });
  }

  function clear() {
    form.reset();
    if (brandIcon) brandIcon.hidden = true;
    brandAnnounce.textContent = "";
  }

  function pay(store) {
    if (busy) return;
    var checked = validate();
    if (Object.keys(checked.errors).length) {
      send({ type: "paykka:validation", errors: checked.errors });
      var firstBad = document.querySelector("[aria-invalid=true]");
      if (firstBad) firstBad.focus();
      return;
    }
    busy = true;
    send({ type: "paykka:submitting" });
    var body = { sessionId: sessionId, clientKey: clientKey };
    if (token) {
      body.token = token;
      body.cvv = checked.cvv;
    } else {
      body.card = { number: checked.number, exp_month: checked.exp.month, exp_year: checked.exp.year,
                    cvv: checked.cvv, holder_name: fields.holder && fields.holder.value.trim() || null };
      if (typeof store === "boolean") body.store = store;
    }
    post(body).then(function (r) {
      busy = false;
      if (!r.ok || r.json.ret_code !== "000000") {
        send({ type: "paykka:error", code: r.json.ret_code || "ERROR", message: r.json.ret_msg || "payment failed" });
        return;
      }
      var result = r.json.data;
      if (result.status === "SUCCESS" || result.status === "AUTHORIZED") clear();
      send({ type: "paykka:result", result: result });
    }, function (e) {
      busy = false;
      send({ type: "paykka:error", code: "NETWORK_ERROR", errorType: "NETWORK_ERROR", message: String(e && e.message || e) });
    });
  }

  // Enter in any field asks the parent to pay, so the parent's options (save card) apply.
  form.addEventListener("submit", function (event) { event.preventDefault(); send({ type: "paykka:submit-request" }); });
  window.addEventListener("message", function (event) {
    if (event.source !== window.parent || event.origin !== parentOrigin) return;
    var data = event.data;
    if (!data || typeof data !== "object" || data.channel !== channel) return;
    if (data.type === "paykka:pay") pay(data.store);
    else if (data.type === "paykka:clear") clear();
    else if (data.type === "paykka:focus") (token ? fields.cvv : fields.number).focus();
  });
  if (window.ResizeObserver) new ResizeObserver(resize).observe(document.body);
  send({ type: "paykka:frame-ready" });
  resize();
})();
