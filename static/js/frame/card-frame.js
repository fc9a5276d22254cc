/* The card form inside the gateway's iframe. Card data is read here and sent only to
 * this frame's own origin; the merchant page receives results, never card data.
 * Messages are accepted only from the parent window at the exact origin it declared. */
(function () {
  "use strict";
  var params = new URLSearchParams(location.hash.slice(1));
  var sessionId = params.get("sid") || "";
  var clientKey = params.get("ck") || "";
  var parentOrigin = params.get("origin") || "";
  var channel = params.get("channel") || "";
  var ancestors = location.ancestorOrigins;
  if (window.parent === window || !parentOrigin ||
      (ancestors && ancestors.length && ancestors[0] !== parentOrigin)) {
    document.body.textContent = "This payment form can only be used inside the merchant's checkout.";
    return;
  }
  // Drop the parameters from the address so they do not linger in history.
  history.replaceState(null, "", location.pathname);

  var form = document.getElementById("card-form");
  var fields = {
    number: document.getElementById("card-number"),
    expiry: document.getElementById("card-expiry"),
    cvv: document.getElementById("card-cvv"),
    holder: document.getElementById("card-holder")
  };
  var brandBadge = document.getElementById("card-brand");
  if (params.get("holder") === "1") document.getElementById("holder-row").hidden = false;
  var busy = false;

  var BRANDS = [
    ["AMEX", /^3[47]/], ["DINERS", /^3(?:0[0-5]|[689])/], ["JCB", /^35(?:2[89]|[3-8])/],
    ["DISCOVER", /^6(?:011|5|4[4-9])/], ["MASTERCARD", /^(?:5[1-5]|2(?:2[2-9]|[3-6]|7[01]|720))/], ["VISA", /^4/]
  ];
  var BRAND_NAMES = { AMEX: "American Express", DINERS: "Diners Club", JCB: "JCB", DISCOVER: "Discover", MASTERCARD: "Mastercard", VISA: "Visa" };

  function digits(value) { return String(value || "").replace(/\D+/g, ""); }
  function brandOf(number) {
    for (var i = 0; i < BRANDS.length; i++) if (BRANDS[i][1].test(number)) return BRANDS[i][0];
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
  function resize() { send({ type: "paykka:resize", height: document.documentElement.scrollHeight }); }

  function setError(name, text) {
    var input = fields[name];
    var box = document.getElementById(input.id + "-error");
    box.textContent = text || "";
    if (text) input.setAttribute("aria-invalid", "true"); else input.removeAttribute("aria-invalid");
  }

  function parseExpiry(value) {
    var m = /^\s*(\d{1,2})\s*\/?\s*(\d{2}|\d{4})\s*$/.exec(value || "");
    if (!m) return null;
    var month = +m[1];
    var year = m[2].length === 2 ? 2000 + +m[2] : +m[2];
    return month >= 1 && month <= 12 ? { month: month, year: year } : null;
  }

  function validate() {
    var errors = {};
    var number = digits(fields.number.value);
    if (!number) errors.cardNumber = [{ code: "required", message: "Enter the card number" }];
    else if (!luhn(number)) errors.cardNumber = [{ code: "invalid", message: "This card number is not valid" }];
    var exp = parseExpiry(fields.expiry.value);
    var now = new Date();
    if (!fields.expiry.value.trim()) errors.expiryDate = [{ code: "required", message: "Enter the expiry date" }];
    else if (!exp) errors.expiryDate = [{ code: "invalid", message: "Use MM/YY" }];
    else if (exp.year < now.getFullYear() || (exp.year === now.getFullYear() && exp.month < now.getMonth() + 1)) {
      errors.expiryDate = [{ code: "expired", message: "This card has expired" }];
    }
    var cvv = digits(fields.cvv.value);
    var wantLength = brandOf(number) === "AMEX" ? 4 : 3;
    if (!cvv) errors.securityCode = [{ code: "required", message: "Enter the security code" }];
    else if (cvv.length !== wantLength) errors.securityCode = [{ code: "invalid", message: "The security code has " + wantLength + " digits" }];
    setError("number", errors.cardNumber && errors.cardNumber[0].message);
    setError("expiry", errors.expiryDate && errors.expiryDate[0].message);
    setError("cvv", errors.securityCode && errors.securityCode[0].message);
    resize();
    return { errors: errors, number: number, exp: exp, cvv: cvv };
  }

  fields.number.addEventListener("input", function () {
    var number = digits(fields.number.value).slice(0, 19);
    var groups = brandOf(number) === "AMEX" ? number.replace(/^(\d{1,4})(\d{1,6})?(\d{1,5})?.*/, function (_, a, b, c) { return [a, b, c].filter(Boolean).join(" "); })
      : number.replace(/(\d{4})(?=\d)/g, "$1 ");
    fields.number.value = groups;
    var brand = brandOf(number);
    brandBadge.textContent = brand ? BRAND_NAMES[brand] : "";
    brandBadge.className = "brand" + (brand ? " brand-" + brand.toLowerCase() : "");
  });
  fields.expiry.addEventListener("input", function () {
    var d = digits(fields.expiry.value).slice(0, 4);
    fields.expiry.value = d.length > 2 ? d.slice(0, 2) + "/" + d.slice(2) : d;
  });

  function pay() {
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
    fetch("/cp/api/pay", {
      method: "POST",
      credentials: "omit",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        sessionId: sessionId,
        clientKey: clientKey,
        card: { number: checked.number, exp_month: checked.exp.month, exp_year: checked.exp.year,
                cvv: checked.cvv, holder_name: fields.holder.value || null }
      })
    }).then(function (resp) {
      return resp.json().then(function (json) { return { ok: resp.ok, json: json }; });
    }).then(function (r) {
      busy = false;
      if (!r.ok || r.json.ret_code !== "000000") {
        send({ type: "paykka:error", code: r.json.ret_code || "ERROR", message: r.json.ret_msg || "payment failed" });
        return;
      }
      var result = r.json.data;
      if (result.status === "SUCCESS" || result.status === "AUTHORIZED") {
        form.reset();
        brandBadge.textContent = "";
      }
      send({ type: "paykka:result", result: result });
    }, function (err) {
      busy = false;
      send({ type: "paykka:error", code: "NETWORK_ERROR", errorType: "NETWORK_ERROR", message: String(err && err.message || err) });
    });
  }

  form.addEventListener("submit", function (event) { event.preventDefault(); pay(); });
  window.addEventListener("message", function (event) {
    if (event.source !== window.parent || event.origin !== parentOrigin) return;
    var data = event.data;
    if (!data || typeof data !== "object" || data.channel !== channel) return;
    if (data.type === "paykka:pay") pay();
  });
  if (window.ResizeObserver) new ResizeObserver(resize).observe(document.body);
  send({ type: "paykka:frame-ready" });
  resize();
})();
