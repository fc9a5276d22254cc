/* Shopper-facing text. Each locale is a small table; missing keys fall back to en-US. */
var MESSAGES = {
  "en-US": {
    pay: "Pay {amount}",
    card: "Card",
    paying: "Processing payment…",
    paid: "Payment successful",
    declined: "Payment declined: {reason}",
    expired: "This checkout has expired. Please start again.",
    error: "Something went wrong: {reason}",
    frameTitle: "Secure card payment fields",
    methods: "Payment methods"
  }
};

function resolveLocale(tag) {
  return "en-US";
}

function t(locale, key, vars) {
  var table = MESSAGES[locale] || MESSAGES["en-US"];
  var text = table[key] || MESSAGES["en-US"][key] || key;
  return text.replace(/\{(\w+)\}/g, function (_, name) { return vars && vars[name] != null ? vars[name] : ""; });
}
