/* Shopper-facing words. The session brings the table of the shopper's locale from the
 * gateway (one table, not fourteen); these English words cover the moments before it
 * arrives or when it cannot (an init that fails). */
var FALLBACK_MESSAGES = {
  error: "Something went wrong: {reason}",
  expired: "This checkout has expired. Please start again.",
  notAvailable: "{method} is not available for this payment.",
  close: "Close"
};

function translate(table, key, vars) {
  var text = (table && table[key]) || FALLBACK_MESSAGES[key] || key;
  return text.replace(/\{(\w+)\}/g, function (_, name) { return vars && vars[name] != null ? vars[name] : ""; });
}
