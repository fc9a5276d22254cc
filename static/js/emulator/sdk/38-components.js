/* The components this checkout exports, one per method of the catalogue: Card, and for
 * each wallet a constructor named as merchants import it (ApplePay, GCash, ...) on the
 * piece of its flow. A method whose flow has no piece here is left out. */

var FLOWS = { sheet: SheetWallet, qr: QrWallet, redirect: RedirectWallet };
var COMPONENTS = {};       // export name → constructor
var COMPONENT_OF = {};     // method code → constructor

function walletType(Flow, code, name) {
  var Type = function (checkout, options) { Flow.call(this, checkout, options, code); };
  Type.prototype = Object.create(Flow.prototype);
  Type.prototype.constructor = Type;
  Type.code = code;
  Type.displayName = name;
  return Type;
}

CATALOGUE.methods.forEach(function (method) {
  var Flow = FLOWS[method.flow];
  var Type = method.flow === "card" ? Card : Flow && walletType(Flow, method.code, method.component);
  if (!Type) return;
  COMPONENTS[method.component] = Type;
  COMPONENT_OF[method.code] = Type;
});
