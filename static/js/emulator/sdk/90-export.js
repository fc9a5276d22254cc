/* The global, under PayKKa's name and the older spelling some pages still use. */
var api = {
  PayKKaCheckout: PayKKaCheckout,
  DropIn: DropIn,
  PayKKaError: PayKKaError,
  setApiUrl: setApiUrl,
  setCDNUrl: setCDNUrl,
  setFraudDetectionEnv: setFraudDetectionEnv,
  // Settles a pending attempt itself when the page comes back from the back/forward cache.
  handlesPageRestore: true,
  version: "stub"
};
// Card and one component per wallet, as the catalogue names them.
Object.keys(COMPONENTS).forEach(function (name) { api[name] = COMPONENTS[name]; });
window.PayKKaCardCheckoutUI = api;
window.PaykkaCardCheckoutUI = api;
