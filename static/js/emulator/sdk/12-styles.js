/* The `styles` option: how a merchant styles the inputs inside the card iframe, which
 * its own CSS cannot reach. Only a whitelist of properties passes, and no value that
 * could load anything (url(), image-set(), @import) or break out of a declaration.
 * Shape: { base|focus|valid|invalid|placeholder: { color, fontSize, ... } }, also
 * accepted under `input` ({ input: { base: {...} } }) as PayKKa's card fields take it. */
var STYLE_PROPS = ["color", "background-color", "border-color", "border-radius", "font-family", "font-size",
  "font-weight", "letter-spacing", "line-height", "padding"];
var STYLE_STATES = ["base", "focus", "valid", "invalid", "placeholder"];
// Theme variables of the merchant page that the card frame mirrors.
var THEME_VARS = ["--pk-accent", "--pk-text", "--pk-border", "--pk-error", "--pk-radius", "--pk-font", "--pk-input-bg"];

function kebab(name) { return String(name).replace(/[A-Z]/g, function (c) { return "-" + c.toLowerCase(); }); }
function safeCssValue(v) {
  v = String(v);
  return v.length <= 120 && /^[#(),.%\-\w\s"'\/+]+$/.test(v) && !/url\(|expression|image|@|\\/i.test(v);
}

/** The validated styles, or a PayKKaError naming the first rejected property. */
function checkStyles(styles) {
  var out = {};
  if (styles == null) return out;
  if (typeof styles !== "object") return new PayKKaError("INVALID_STYLES", "styles: must be an object", "IMPLEMENTATION_ERROR");
  var source = styles.input && typeof styles.input === "object" ? styles.input : styles;
  var states = Object.keys(source);
  for (var i = 0; i < states.length; i++) {
    var state = states[i];
    if (STYLE_STATES.indexOf(state) < 0) {
      return new PayKKaError("INVALID_STYLES", "styles." + state + ": unknown state (use " + STYLE_STATES.join(", ") + ")", "IMPLEMENTATION_ERROR");
    }
    var rules = source[state] || {};
    out[state] = {};
    var props = Object.keys(rules);
    for (var j = 0; j < props.length; j++) {
      var prop = kebab(props[j]);
      if (STYLE_PROPS.indexOf(prop) < 0) {
        return new PayKKaError("INVALID_STYLES", "styles." + state + "." + props[j] + ": not an allowed property (allowed: " + STYLE_PROPS.join(", ") + ")", "IMPLEMENTATION_ERROR");
      }
      if (!safeCssValue(rules[props[j]])) {
        return new PayKKaError("INVALID_STYLES", "styles." + state + "." + props[j] + ": value not allowed (no url(), no @, no quotes escaping)", "IMPLEMENTATION_ERROR");
      }
      out[state][prop] = String(rules[props[j]]);
    }
  }
  return out;
}

/** The merchant page's --pk-* variables as seen by `node`, to forward into the frame. */
function themeOf(node) {
  var theme = {};
  if (!node || !node.isConnected) return theme;
  var computed = getComputedStyle(node);
  THEME_VARS.forEach(function (name) {
    var value = computed.getPropertyValue(name).trim();
    if (value && safeCssValue(value)) theme[name] = value;
  });
  return theme;
}
