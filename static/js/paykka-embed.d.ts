// Types of paykka-embed's mount layer (static/js/paykka-embed.js): window.PayKKaEmbed and the
// paykka:* DOM events it dispatches on each mount element.

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
  /** Where to go after paykka:failure unless it is cancelled (default: stay and offer a retry). */
  failureUrl?: string;
  /** Overrides PayKKaEmbedConfig.sessionsUrl. */
  sessionsUrl?: string;
  /** Mounts sharing a group share one checkout; defaults to sessionId. */
  group?: string;
  /** [payment failed, try again, expired, could not load]; "{r}" is replaced by the reason. */
  messages?: [string, string, string, string];
}

/** Rendered by paykka.scripts() on the script tag (data-paykka-config). */
export interface PayKKaEmbedConfig {
  checkoutBase: string;
  sdkUrl: string;
  styleUrl: string;
  env: string;
  sessionsUrl: string;
  csrfToken: string;
  locale: string | null;
  messages: [string, string, string, string];
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
  /** A stable code: PayKKa's error code (e.g. "5001"), "UNKNOWN_COMPONENT", "SDK_LOAD_FAILED", "TIMEOUT", ... */
  code: string;
  /** "PAYMENT_FAILED" for a declined payment; "IMPLEMENTATION_ERROR", "NETWORK_ERROR", "API_ERROR", "SDK_ERROR", ... */
  type: string;
  message: string;
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
  /** A fresh attempt is being mounted in its place. */
  "paykka:expired": CustomEvent<ExpiredDetail>;
  "paykka:error": CustomEvent<ProblemDetail>;
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
