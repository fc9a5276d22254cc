/* The payment-method catalogue, as the gateway sends it with this bundle: `var CATALOGUE`,
 * built from paykka_embed.catalogue. `methods`: each method's code, component (the name
 * it is exported under), Drop-in option key, name and flow (card, sheet, qr, redirect);
 * `brands`: each card brand's label; `spellings`: every known spelling, normalised, and
 * the code it names. The components, the Drop-in's option keys and the brand labels below
 * all come from it; nothing in the stand-in lists methods itself. */

/** A spelling reduced to compare, by the catalogue's rule: upper case, "+" read as PLUS,
 * letters and digits only ("aliPay+" and "ALIPAY_PLUS" meet as "ALIPAYPLUS"). */
function normalise(name) {
  return String(name).toUpperCase().replace(/\+/g, "PLUS").replace(/[^A-Z0-9]/g, "");
}

/** The method or brand code a spelling names ("aliPay" → "ALIPAY_PLUS"), or null. */
function codeOf(name) { return CATALOGUE.spellings[normalise(name)] || null; }

/** What a shopper reads for a card brand ("MASTERCARD" → "Mastercard"). */
function brandLabel(code) { return CATALOGUE.brands[code] || code; }
