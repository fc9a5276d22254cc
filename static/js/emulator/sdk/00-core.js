/* paykka-embed SDK stand-in: shared helpers.
 * The stub serves every file of this folder, in name order, as one script wrapped in a
 * function scope, at /cp/card-checkout-ui.js, after `var ICONS` (the method marks).
 * No framework, no eval, no inline style attributes, no inline handlers: it runs under a
 * CSP that allows scripts and styles only by nonce or from the stub's origin. */

var SCRIPT = document.currentScript;
var SCRIPT_ORIGIN = SCRIPT && SCRIPT.src ? new URL(SCRIPT.src, location.href).origin : location.origin;
// Elements the stand-in adds to <head> carry the nonce its own <script> tag was given.
var NONCE = SCRIPT ? (SCRIPT.nonce || SCRIPT.getAttribute("nonce") || "") : "";
// Read on every use, so setApiUrl / setCDNUrl work before or after a checkout exists.
var settings = { apiUrl: SCRIPT_ORIGIN, cdnUrl: SCRIPT_ORIGIN + "/cp" };

function trimSlash(url) { return String(url).replace(/\/+$/, ""); }
function setApiUrl(url) { settings.apiUrl = trimSlash(new URL(url, location.href).href); }
function setCDNUrl(url) { settings.cdnUrl = trimSlash(new URL(url, location.href).href); }
function setFraudDetectionEnv() { /* accepted for compatibility; the stand-in collects nothing */ }
function frameOrigin() { return new URL(settings.cdnUrl, location.href).origin; }
/** Action URLs from the gateway are paths on the checkout's origin. */
function gatewayUrl(path) { return new URL(path, frameOrigin() + "/").href; }

function el(tag, className, text) {
  var node = document.createElement(tag);
  if (className) node.className = className;
  if (text != null) node.append(text);
  return node;
}

/** A payment method mark as inline SVG (no image request, nothing for img-src to allow). */
function icon(code, label) {
  var svg = new DOMParser().parseFromString(
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 38 24" width="38" height="24" class="pk-icon">' +
    (ICONS[code] || ICONS.BANKCARD) + "</svg>", "image/svg+xml").documentElement;
  svg = document.importNode(svg, true);
  svg.setAttribute("direction", "ltr"); // "Alipay+" stays "Alipay+" in a right-to-left page
  if (label) { svg.setAttribute("role", "img"); svg.setAttribute("aria-label", label); }
  else { svg.setAttribute("aria-hidden", "true"); svg.setAttribute("focusable", "false"); }
  return svg;
}

/** The stand-in's stylesheet, added once when the page did not link it itself. */
function ensureStyles() {
  var href = settings.cdnUrl + "/style.css";
  var links = document.querySelectorAll("link[rel=stylesheet]");
  for (var i = 0; i < links.length; i++) if (links[i].href === href) return;
  var link = el("link");
  link.rel = "stylesheet";
  link.href = href;
  if (NONCE) link.nonce = NONCE;
  document.head.appendChild(link);
}

function resolveTarget(target) {
  if (typeof target === "string") {
    var found = document.querySelector(target);
    if (!found) throw new PayKKaError("MOUNT_TARGET_NOT_FOUND", "no element matches " + target, "IMPLEMENTATION_ERROR");
    return found;
  }
  if (target && target.nodeType === 1) return target;
  throw new PayKKaError("MOUNT_TARGET_NOT_FOUND", "mount() needs an element or a selector", "IMPLEMENTATION_ERROR");
}

/** Every error the stand-in reports: a stable code, a type, a message for people.
 * `msg` repeats `message` because pages written for PayKKa read either. */
function PayKKaError(code, message, type) {
  this.name = "PayKKaError";
  this.code = code;
  this.type = type || "SDK_ERROR";
  this.message = message;
  this.msg = message;
}
PayKKaError.prototype = Object.create(Error.prototype);
PayKKaError.prototype.constructor = PayKKaError;

/** Merchant callbacks never break the checkout: a throwing callback is logged, not fatal. */
function call(fn, arg, ctx) {
  if (typeof fn !== "function") return undefined;
  try { return fn.call(ctx, arg); } catch (e) { if (window.console) console.warn("PayKKa callback failed", e); }
  return undefined;
}

function apiPost(path, body) {
  return fetch(settings.apiUrl + path, {
    method: "POST", mode: "cors", credentials: "omit",
    headers: { "content-type": "application/json" }, body: JSON.stringify(body)
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

var uid = 0;
function nextId(prefix) { uid += 1; return prefix + "-" + uid + "-" + Math.random().toString(36).slice(2, 8); }

/** A message from `frame` is trusted only if it comes from that very window, at the
 * gateway's exact origin, on this component's channel. */
function fromFrame(event, frame, channel) {
  if (!frame || event.source !== frame.contentWindow || event.origin !== frameOrigin()) return null;
  var data = event.data;
  if (!data || typeof data !== "object" || data.channel !== channel || typeof data.type !== "string") return null;
  return data;
}

function isPaid(status) { return status === "SUCCESS" || status === "AUTHORIZED"; }
