/* Shopper-facing words. The session brings the table of the shopper's locale from the
 * gateway (one table, not fourteen, chosen there by the toolkit's one locale rule); these
 * English words cover the moments before it arrives or when it cannot (an init that fails).
 * translate() gives plain text (titles, labels, errors); words() gives what the shopper
 * reads, each value (amount, brand, method name) in its own <bdi>, so a right-to-left
 * sentence never reorders "Alipay+" or "HK$8.00". */
var FALLBACK_MESSAGES = {
  error: "Something went wrong: {reason}",
  expired: "This checkout has expired. Please start again.",
  notAvailable: "{method} is not available for this payment.",
  close: "Close"
};

function words(table, key, vars) {
  var out = document.createDocumentFragment();
  String((table && table[key]) || FALLBACK_MESSAGES[key] || key).split(/\{(\w+)\}/).forEach(function (piece, i) {
    if (!(i % 2)) out.append(piece);
    else if (vars && vars[piece] != null) out.appendChild(el("bdi", null, String(vars[piece])));
  });
  return out;
}

function translate(table, key, vars) {
  var text = (table && table[key]) || FALLBACK_MESSAGES[key] || key;
  return text.replace(/\{(\w+)\}/g, function (_, name) { return vars && vars[name] != null ? vars[name] : ""; });
}
