// Types of paykka-embed's mount layer (static/js/paykka/paykka-embed.js, served at
// {prefix}/static/js/paykka-embed.js): window.PayKKaEmbed and the paykka:* DOM events it
// dispatches on each mount element.

export type MountMode = "dropin" | "component" | "hosted";

/** What the macros render in data-paykka-mount, and what POST {prefix}/sessions answers. */
export interface MountOptions {
  sessionId: string;
  clientKey: string;
  /** The env value PayKKa's SDK expects: "sandbox" | "eu" | "hk". */
  env?: string;
  /** Overrides the page's checkout host ({checkoutBase}/cp/card-checkout-ui.js). */
  checkoutBase?: string;
  mode?: MountMode;
  /** The merchant's order reference: a fresh attempt is asked for it on expiry or retry. */
  order?: string;
  /** A component the SDK exports, case-insensitive: "card", "applepay", "googlepay", "wechatpay", ... Absent: the Drop-in. */
  component?: string;
  locale?: string;
  theme?: string;
  hidePaymentButton?: boolean;
  /** Where to go after paykka:success unless it is cancelled (default: the session's return URL). */
  successUrl?: string;
  /** Where to go after paykka:failure unless it is cancelled (default: stay; the SDK says why, and its form takes another card). */
  failureUrl?: string;
  /** Overrides PayKKaEmbedConfig.sessionsUrl. */
  sessionsUrl?: string;
  /** Mounts sharing a group share one checkout; defaults to sessionId. */
  group?: string;
  /** The mount layer's words, in the session's language as paykka_embed.locales resolves it (the macros
   * render them; see MountMessages). */
  messages?: MountMessages;
}

/** The mount layer's words, by name, in one language (paykka_embed.flask.templating.MOUNT_MESSAGES).
 * A decline is not among them: the SDK shows it, once. */
export interface MountMessages {
  /** The retry button: "Try again". */
  retry: string;
  /** The session expired (a fresh attempt is being mounted). */
  expired: string;
  /** The checkout could not be loaded; "{r}" is replaced by the reason. */
  unavailable: string;
  /** A fresh attempt was refused: the order is paid already. */
  alreadyPaid: string;
  /** The link to the paid order (orderUrl). */
  viewOrder: string;
  /** A fresh attempt was refused: a payment of the order is still being processed. */
  inProgress: string;
  /** The button that asks the server again. */
  checkAgain: string;
}

/** Rendered by paykka.scripts() on the script tag (data-paykka-config). */
export interface PayKKaEmbedConfig {
  checkoutBase: string;
  sdkUrl: string;
  styleUrl: string;
  env: string;
  sessionsUrl: string;
  csrfToken: string;
  /** GET: {"csrfToken": "..."}; asked when POST sessionsUrl answers 400 {"error": {"code": "csrf"}} (a page
   * left open past the token's life), then the POST is sent once more. */
  csrfUrl: string;
  /** The merchant's tag, handed to the SDK as it is (the gateway resolves it by the same rule). */
  locale: string | null;
  /** The page's language as paykka_embed.locales resolves it: one of the 14 the checkout speaks. */
  lang: string;
  messages: MountMessages;
}

export interface ReadyDetail {
  sessionId: string;
  /** The component name, or "dropin". */
  component: string;
  paymentMethods?: unknown[];
}

export interface SuccessDetail {
  sessionId: string;
  orderId?: string;
  status?: "SUCCESS" | "AUTHORIZED";
  paymentMethod?: string;
  returnUrl?: string;
}

export interface ProblemDetail {
  sessionId: string;
  /** A stable code: PayKKa's error code (e.g. "5001" do not honour, "5002" insufficient funds, "5003" expired card,
   * "5004" CVV, "5005" 3DS failed, "5006" declined in the wallet), "UNKNOWN_COMPONENT", "SDK_LOAD_FAILED",
   * "TIMEOUT", "ALREADY_PAID", "PAYMENT_IN_PROGRESS", ... */
  code: string;
  /** "PAYMENT_FAILED" for a declined payment; "CANCEL" for one the shopper abandoned or that timed out;
   * "IMPLEMENTATION_ERROR", "NETWORK_ERROR", "API_ERROR", "SDK_ERROR", ... */
  type: string;
  /** For the merchant (PayKKa's own words for a decline); the shopper reads the SDK's translated message. */
  message: string;
}

/** paykka:error when a fresh attempt is refused because the order is paid already: the mount layer shows
 * "This order has already been paid." with a link to orderUrl (when the server gave one), and no retry. */
export interface AlreadyPaidDetail extends ProblemDetail {
  code: "ALREADY_PAID";
  type: "API_ERROR";
  orderUrl?: string;
}

/** paykka:error when a payment of the order is still being processed: the mount layer shows so, with a
 * "Check again" button that asks the server again. */
export interface PaymentInProgressDetail extends ProblemDetail {
  code: "PAYMENT_IN_PROGRESS";
  type: "API_ERROR";
  orderUrl?: string;
}

export interface FailureDetail extends ProblemDetail {
  type: "PAYMENT_FAILED";
  orderId?: string;
}

export interface ExpiredDetail {
  sessionId: string;
}

export interface PayKKaEventMap {
  "paykka:ready": CustomEvent<ReadyDetail>;
  /** Cancelable: preventDefault() keeps the shopper on the page. */
  "paykka:success": CustomEvent<SuccessDetail>;
  /** Cancelable: preventDefault() stays on the page even when failureUrl is set. */
  "paykka:failure": CustomEvent<FailureDetail>;
  /** A fresh attempt is being mounted in its place (also when the page comes back from the back/forward
   * cache and the session expired meanwhile). */
  "paykka:expired": CustomEvent<ExpiredDetail>;
  "paykka:error": CustomEvent<ProblemDetail | AlreadyPaidDetail | PaymentInProgressDetail>;
}

export interface MountHandle {
  /** Starts the payment (for hidePaymentButton); rejects if the checkout is not ready. */
  pay(): Promise<unknown>;
  /** Idempotent. The session's checkout stays alive, so mounting again reuses it. */
  unmount(): void;
  /** A fresh attempt of the order, remounted in place. */
  refresh(): Promise<void>;
}

export interface PayKKaEmbed {
  /** Mount into an element (or a selector). Options default to the element's data-paykka-mount. Idempotent per element. */
  mount(element: Element | string, options?: MountOptions): MountHandle;
  /** Mount every [data-paykka-mount] element not mounted yet (runs on DOMContentLoaded). */
  autoMount(): void;
  readonly config: Partial<PayKKaEmbedConfig>;
}

declare global {
  interface Window {
    PayKKaEmbed: PayKKaEmbed;
  }
  interface HTMLElementEventMap extends PayKKaEventMap {}
}
