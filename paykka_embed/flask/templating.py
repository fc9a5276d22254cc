"""What the Jinja macros (``templates/paykka/macros.html``) ask the app for: the page's CSP
nonce and the mount layer's configuration. Registered as Jinja globals by ``init_app``."""

from __future__ import annotations

from typing import Any, Optional

from urllib.parse import urlsplit

from flask import Flask, current_app, g, url_for

from ..errors import ValidationError
from .state import state_of


def csp_nonce() -> Optional[str]:
    """The page's CSP nonce: ``PAYKKA_CSP_NONCE`` (a callable or a string), else ``g.csp_nonce``."""
    configured = current_app.config.get("PAYKKA_CSP_NONCE")
    if callable(configured):
        value = configured()
        return str(value) if value else None
    if configured:
        return str(configured)
    nonce = g.get("csp_nonce")
    return str(nonce) if nonce else None


def script_config(locale: Optional[str] = None) -> dict[str, Any]:
    """What the mount layer needs from the server (``PayKKaEmbedConfig`` in paykka-embed.d.ts)."""
    from flask_wtf.csrf import generate_csrf  # type: ignore[import-untyped]

    state = state_of()
    env = state.environment
    return {
        "checkoutBase": env.checkout_base,
        "sdkUrl": env.sdk_script_url,
        "styleUrl": env.sdk_style_url,
        "env": env.sdk_env,
        "sessionsUrl": url_for("paykka.sessions"),
        "csrfToken": generate_csrf(),
        "locale": locale or current_app.config["PAYKKA_LOCALE"],
        "messages": messages_for(locale or current_app.config["PAYKKA_LOCALE"])[:4],
    }


def register(app: Flask) -> None:
    app.jinja_env.globals["paykka_csp_nonce"] = csp_nonce
    app.jinja_env.globals["paykka_config"] = script_config
    app.jinja_env.globals["paykka_messages"] = messages_for
    app.jinja_env.globals["paykka_safe_url"] = safe_url


def safe_url(url: Optional[str], field: str = "url") -> Optional[str]:
    """``url`` if it is http(s) or a path on this site; a ``javascript:`` or ``data:`` URL is refused."""
    if url is None or url == "":
        return None
    text = str(url).strip()
    parts = urlsplit(text)
    if parts.scheme in ("http", "https") and parts.netloc:
        return text
    if not parts.scheme and not parts.netloc and text.startswith("/") and not text.startswith("//"):
        return text
    raise ValidationError(field, "must be an http(s) URL or a path starting with /")


#: The mount layer's visible states, per language: payment failed ({r} is the reason), the
#: retry button, session expired, form could not be loaded, and (macros only) loading.
#: Sent with the page, so the script stays small and a new language needs no JavaScript.
MESSAGES: dict[str, tuple[str, ...]] = {
    "en": ("Payment failed: {r}", "Try again", "Your checkout session expired.",
           "The payment form could not be loaded: {r}", "Loading payment methods…"),
    "zh": ("支付失败：{r}", "重试", "支付会话已过期。", "无法加载支付表单：{r}"),
    "zh-Hant": ("付款失敗：{r}", "重試", "付款工作階段已過期。", "無法載入付款表單：{r}"),
    "ja": ("お支払いに失敗しました：{r}", "もう一度試す", "お支払いの有効期限が切れました。",
           "お支払いフォームを読み込めませんでした：{r}"),
    "ko": ("결제 실패: {r}", "다시 시도", "결제 세션이 만료되었습니다.", "결제 양식을 불러올 수 없습니다: {r}"),
    "th": ("การชำระเงินล้มเหลว: {r}", "ลองอีกครั้ง", "เซสชันการชำระเงินหมดอายุแล้ว", "ไม่สามารถโหลดแบบฟอร์มการชำระเงินได้: {r}"),
    "vi": ("Thanh toán thất bại: {r}", "Thử lại", "Phiên thanh toán đã hết hạn.", "Không thể tải biểu mẫu thanh toán: {r}"),
    "id": ("Pembayaran gagal: {r}", "Coba lagi", "Sesi pembayaran Anda telah berakhir.",
           "Formulir pembayaran tidak dapat dimuat: {r}"),
    "ms": ("Pembayaran gagal: {r}", "Cuba lagi", "Sesi pembayaran anda telah tamat.",
           "Borang pembayaran tidak dapat dimuatkan: {r}"),
    "fil": ("Nabigo ang pagbabayad: {r}", "Subukan muli", "Nag-expire na ang iyong checkout session.",
            "Hindi ma-load ang payment form: {r}"),
    "fr": ("Échec du paiement : {r}", "Réessayer", "Votre session de paiement a expiré.",
           "Le formulaire de paiement n'a pas pu être chargé : {r}"),
    "de": ("Zahlung fehlgeschlagen: {r}", "Erneut versuchen", "Ihre Bezahlsitzung ist abgelaufen.",
           "Das Zahlungsformular konnte nicht geladen werden: {r}"),
    "es": ("El pago ha fallado: {r}", "Reintentar", "Tu sesión de pago ha caducado.",
           "No se pudo cargar el formulario de pago: {r}"),
    "ar": ("فشل الدفع: {r}", "حاول مرة أخرى", "انتهت صلاحية جلسة الدفع.", "تعذر تحميل نموذج الدفع: {r}"),
}
_HANT = ("-HK", "-TW", "-MO", "-HANT")


def messages_for(locale: Optional[str]) -> list[str]:
    """The messages for a BCP 47 tag: zh-HK/zh-TW/zh-Hant → Traditional, else the language, else English."""
    tag = (locale or "en").replace("_", "-")
    lang = tag.split("-")[0].lower()
    if lang == "zh" and any(part in tag.upper() for part in _HANT):
        lang = "zh-Hant"
    chosen = MESSAGES.get(lang, MESSAGES["en"])
    return list(chosen) + list(MESSAGES["en"][len(chosen):])
