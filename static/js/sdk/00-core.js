/* paykka-embed SDK stand-in: shared helpers.
 * The stub serves every file of this folder, in name order, as one script wrapped in a
 * function scope, at /cp/card-checkout-ui.js. No framework, no eval, no inline styles. */

var SCRIPT = document.currentScript;
var SCRIPT_ORIGIN = SCRIPT && SCRIPT.src ? new URL(SCRIPT.src, location.href).origin : location.origin;
var settings = { apiUrl: SCRIPT_ORIGIN, cdnUrl: SCRIPT_ORIGIN + "/cp" };

function trimSlash(url) { return String(url).replace(/\/+$/, ""); }
function setApiUrl(url) { settings.apiUrl = trimSlash(url); }
function setCDNUrl(url) { settings.cdnUrl = trimSlash(url); }
function setFraudDetectionEnv() { /* accepted for compatibility; the stand-in collects nothing */ }
function frameOrigin() { return new URL(settings.cdnUrl, location.href).origin; }

function el(tag, className, text) {
  var node = document.createElement(tag);
  if (className) node.className = className;
  if (text != null) node.textContent = text;
  return node;
}

function resolveTarget(target) {
  if (typeof target === "string") {
    var found = document.querySelector(target);
    if (!found) throw new PayKKaError("MOUNT_TARGET_NOT_FOUND", "no element matches " + target);
    return found;
  }
  if (target && target.nodeType === 1) return target;
  throw new PayKKaError("MOUNT_TARGET_NOT_FOUND", "mount() needs an element or a selector");
}

/** Every error the stand-in reports: a stable code, a type, a message for people. */
function PayKKaError(code, message, type) {
  this.name = "PayKKaError";
  this.code = code;
  this.type = type || "SDK_ERROR";
  this.message = message;
  this.msg = message;
}
PayKKaError.prototype = Object.create(Error.prototype);
PayKKaError.prototype.constructor = PayKKaError;

function call(fn, arg, ctx) {
  if (typeof fn !== "function") return undefined;
  try { return fn.call(ctx, arg); } catch (e) { if (window.console) console.error("PayKKa callback failed", e); }
  return undefined;
}

function apiPost(path, body) {
  return fetch(settings.apiUrl + path, {
    method: "POST",
    mode: "cors",
    credentials: "omit",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body)
  }).then(function (resp) {
    return resp.json().catch(function () { return {}; }).then(function (json) {
      if (!resp.ok || json.ret_code !== "000000") {
        throw new PayKKaError(json.ret_code || ("HTTP_" + resp.status), json.ret_msg || "request failed", "API_ERROR");
      }
      return json.data;
    });
  }, function (err) {
    throw new PayKKaError("NETWORK_ERROR", String(err && err.message || err), "NETWORK_ERROR");
  });
}

function formatAmount(minor, currency, exponent, locale) {
  var major = minor / Math.pow(10, exponent);
  try {
    return new Intl.NumberFormat(locale || "en-US", {
      style: "currency", currency: currency, minimumFractionDigits: exponent, maximumFractionDigits: exponent
    }).format(major);
  } catch (e) {
    return currency + " " + major.toFixed(exponent);
  }
}

var uid = 0;
function nextId(prefix) { uid += 1; return prefix + "-" + uid + "-" + Math.random().toString(36).slice(2, 8); }
