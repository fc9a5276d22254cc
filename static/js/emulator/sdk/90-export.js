/* The global, under PayKKa's name and the older spelling some pages still use. */
var api = {
  PayKKaCheckout: PayKKaCheckout,
  DropIn: DropIn,
  Card: Card,
  PayKKaError: PayKKaError,
  setApiUrl: setApiUrl,
  setCDNUrl: setCDNUrl,
  setFraudDetectionEnv: setFraudDetectionEnv,
  // Settles a pending attempt itself when the page comes back from the back/forward cache.
  handlesPageRestore: true,
  version: "stub"
};
Object.keys(WALLETS).forEach(function (name) { api[name] = WALLETS[name]; });
window.PayKKaCardCheckoutUI = api;
window.PaykkaCardCheckoutUI = api;
