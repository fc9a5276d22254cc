"""What the Jinja macros (``templates/paykka/macros.html``) ask the app for: the page's CSP
nonce and the mount layer's configuration. Registered as Jinja globals by ``init_app``."""

from __future__ import annotations

import re
from typing import Any, Optional
from urllib.parse import urlsplit

from flask import Flask, current_app, g, url_for

from .. import locales
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
    from flask_wtf.csrf import generate_csrf

    state = state_of()
    env = state.environment
    tag = locale or current_app.config["PAYKKA_LOCALE"]
    return {
        "checkoutBase": env.checkout_base,
        "sdkUrl": env.sdk_script_url,
        "styleUrl": env.sdk_style_url,
        "env": env.sdk_env,
        "sessionsUrl": url_for("paykka.sessions"),
        "csrfToken": generate_csrf(),
        # Where the mount layer gets a fresh token when a page was left open past the token's life.
        "csrfUrl": url_for("paykka.csrf_token"),
        "locale": tag,
        # The page's language as the toolkit's one rule resolves it, and the mount layer's words in it.
        "lang": locales.resolve(tag),
        "messages": messages_for(tag)[:BROWSER_MESSAGES],
    }


def register(app: Flask) -> None:
    app.jinja_env.globals["paykka_csp_nonce"] = csp_nonce
    app.jinja_env.globals["paykka_config"] = script_config
    app.jinja_env.globals["paykka_messages"] = messages_for
    app.jinja_env.globals["paykka_words"] = words
    app.jinja_env.globals["paykka_amount"] = amount
    app.jinja_env.globals["paykka_lang"] = locales.resolve
    app.jinja_env.globals["paykka_dir"] = lambda tag: locales.direction(locales.resolve(tag))
    app.jinja_env.globals["paykka_browser_messages"] = BROWSER_MESSAGES
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


#: What the toolkit itself shows, per supported locale (:data:`paykka_embed.locales.SUPPORTED`).
#: The first :data:`BROWSER_MESSAGES` go to the mount layer with the page (``messages`` in
#: paykka-embed.d.ts, in this order), so the script stays small and a new language needs no
#: JavaScript; the rest are the macros' own text. ``{r}`` is a reason, ``{amount}`` an amount.
MESSAGE_KEYS = ("retry", "expired", "unavailable", "alreadyPaid", "viewOrder", "inProgress", "checkAgain", "loading", "noscript", "pay", "payNow")
BROWSER_MESSAGES = 7
MESSAGES: dict[str, tuple[str, ...]] = {
    "en-US": (
        "Try again",
        "Your checkout session expired.",
        "The payment form could not be loaded: {r}",
        "This order has already been paid.",
        "View your order",
        "A payment for this order is still being processed.",
        "Check again",
        "Loading payment methods…",
        "Payment needs JavaScript. Please enable it, or use another browser.",
        "Pay {amount}",
        "Pay now",
    ),
    "zh-CN": (
        "重试",
        "支付会话已过期。",
        "无法加载支付表单：{r}",
        "此订单已付款。",
        "查看订单",
        "此订单的一笔付款仍在处理中。",
        "再次检查",
        "正在加载支付方式…",
        "付款需要 JavaScript。请启用它，或换用其他浏览器。",
        "支付 {amount}",
        "立即支付",
    ),
    "zh-HK": (
        "重試",
        "付款工作階段已過期。",
        "無法載入付款表單：{r}",
        "此訂單已付款。",
        "查看訂單",
        "此訂單的一筆付款仍在處理中。",
        "再次檢查",
        "正在載入付款方式…",
        "付款需要 JavaScript。請啟用它，或改用其他瀏覽器。",
        "支付 {amount}",
        "立即付款",
    ),
    "ja-JP": (
        "もう一度試す",
        "お支払いの有効期限が切れました。",
        "お支払いフォームを読み込めませんでした：{r}",
        "このご注文はお支払い済みです。",
        "ご注文を表示",
        "このご注文のお支払いはまだ処理中です。",
        "もう一度確認",
        "お支払い方法を読み込んでいます…",
        "お支払いには JavaScript が必要です。有効にするか、別のブラウザをご利用ください。",
        "{amount} を支払う",
        "今すぐ支払う",
    ),
    "ko-KR": (
        "다시 시도",
        "결제 세션이 만료되었습니다.",
        "결제 양식을 불러올 수 없습니다: {r}",
        "이 주문은 이미 결제되었습니다.",
        "주문 보기",
        "이 주문의 결제가 아직 처리 중입니다.",
        "다시 확인",
        "결제 수단을 불러오는 중…",
        "결제하려면 JavaScript가 필요합니다. 사용하도록 설정하거나 다른 브라우저를 이용해 주세요.",
        "{amount} 결제",
        "지금 결제",
    ),
    "th-TH": (
        "ลองอีกครั้ง",
        "เซสชันการชำระเงินหมดอายุแล้ว",
        "ไม่สามารถโหลดแบบฟอร์มการชำระเงินได้: {r}",
        "คำสั่งซื้อนี้ชำระเงินแล้ว",
        "ดูคำสั่งซื้อ",
        "การชำระเงินสำหรับคำสั่งซื้อนี้ยังอยู่ระหว่างดำเนินการ",
        "ตรวจสอบอีกครั้ง",
        "กำลังโหลดวิธีการชำระเงิน…",
        "การชำระเงินต้องใช้ JavaScript โปรดเปิดใช้งาน หรือใช้เบราว์เซอร์อื่น",
        "ชำระ {amount}",
        "ชำระเงินตอนนี้",
    ),
    "vi-VN": (
        "Thử lại",
        "Phiên thanh toán đã hết hạn.",
        "Không thể tải biểu mẫu thanh toán: {r}",
        "Đơn hàng này đã được thanh toán.",
        "Xem đơn hàng",
        "Một khoản thanh toán cho đơn hàng này vẫn đang được xử lý.",
        "Kiểm tra lại",
        "Đang tải phương thức thanh toán…",
        "Thanh toán cần JavaScript. Vui lòng bật JavaScript hoặc dùng trình duyệt khác.",
        "Thanh toán {amount}",
        "Thanh toán ngay",
    ),
    "id-ID": (
        "Coba lagi",
        "Sesi pembayaran Anda telah berakhir.",
        "Formulir pembayaran tidak dapat dimuat: {r}",
        "Pesanan ini sudah dibayar.",
        "Lihat pesanan",
        "Pembayaran untuk pesanan ini masih diproses.",
        "Periksa lagi",
        "Memuat metode pembayaran…",
        "Pembayaran memerlukan JavaScript. Aktifkan JavaScript atau gunakan browser lain.",
        "Bayar {amount}",
        "Bayar sekarang",
    ),
    "ms-MY": (
        "Cuba lagi",
        "Sesi pembayaran anda telah tamat.",
        "Borang pembayaran tidak dapat dimuatkan: {r}",
        "Pesanan ini telah dibayar.",
        "Lihat pesanan",
        "Pembayaran untuk pesanan ini masih diproses.",
        "Semak semula",
        "Memuatkan kaedah pembayaran…",
        "Pembayaran memerlukan JavaScript. Sila dayakannya atau gunakan pelayar lain.",
        "Bayar {amount}",
        "Bayar sekarang",
    ),
    "fil-PH": (
        "Subukan muli",
        "Nag-expire na ang iyong checkout session.",
        "Hindi ma-load ang payment form: {r}",
        "Bayad na ang order na ito.",
        "Tingnan ang order",
        "Pinoproseso pa ang isang bayad para sa order na ito.",
        "Suriin muli",
        "Nilo-load ang mga paraan ng pagbabayad…",
        "Kailangan ng JavaScript para makapagbayad. Paganahin ito, o gumamit ng ibang browser.",
        "Magbayad ng {amount}",
        "Magbayad ngayon",
    ),
    "fr-FR": (
        "Réessayer",
        "Votre session de paiement a expiré.",
        "Le formulaire de paiement n'a pas pu être chargé : {r}",
        "Cette commande a déjà été payée.",
        "Voir la commande",
        "Un paiement pour cette commande est encore en cours de traitement.",
        "Vérifier à nouveau",
        "Chargement des moyens de paiement…",
        "Le paiement nécessite JavaScript. Activez-le ou utilisez un autre navigateur.",
        "Payer {amount}",
        "Payer maintenant",
    ),
    "de-DE": (
        "Erneut versuchen",
        "Ihre Bezahlsitzung ist abgelaufen.",
        "Das Zahlungsformular konnte nicht geladen werden: {r}",
        "Diese Bestellung wurde bereits bezahlt.",
        "Bestellung ansehen",
        "Eine Zahlung für diese Bestellung wird noch bearbeitet.",
        "Erneut prüfen",
        "Zahlungsarten werden geladen…",
        "Zum Bezahlen wird JavaScript benötigt. Bitte aktivieren Sie es oder verwenden Sie einen anderen Browser.",
        "{amount} bezahlen",
        "Jetzt bezahlen",
    ),
    "es-ES": (
        "Reintentar",
        "Tu sesión de pago ha caducado.",
        "No se pudo cargar el formulario de pago: {r}",
        "Este pedido ya está pagado.",
        "Ver el pedido",
        "Un pago de este pedido todavía se está procesando.",
        "Comprobar de nuevo",
        "Cargando métodos de pago…",
        "El pago necesita JavaScript. Actívalo o usa otro navegador.",
        "Pagar {amount}",
        "Pagar ahora",
    ),
    "ar": (
        "حاول مرة أخرى",
        "انتهت صلاحية جلسة الدفع.",
        "تعذر تحميل نموذج الدفع: {r}",
        "تم دفع هذا الطلب بالفعل.",
        "عرض الطلب",
        "لا تزال عملية دفع لهذا الطلب قيد المعالجة.",
        "تحقق مرة أخرى",
        "جارٍ تحميل طرق الدفع…",
        "يتطلب الدفع تفعيل JavaScript. يُرجى تفعيله أو استخدام متصفح آخر.",
        "ادفع {amount}",
        "ادفع الآن",
    ),
}


def messages_for(locale: Optional[str]) -> list[str]:
    """The toolkit's words for a BCP 47 tag, in :data:`MESSAGE_KEYS` order, by the toolkit's
    one locale rule (``zh-Hans-HK`` → Simplified, ``zh-HK`` → Traditional, ``iw`` → English)."""
    return list(MESSAGES[locales.resolve(locale)])


def words(locale: Optional[str], key: str, **values: str) -> str:
    """One of the macros' texts. In a right-to-left language each value sits between
    first-strong isolates (FSI … PDI), so an amount or a name keeps its order inside the
    sentence; the macros add no element for it (every tag they emit carries the nonce)."""
    resolved = locales.resolve(locale)
    rtl = locales.direction(resolved) == "rtl"
    parts = re.split(r"\{(\w+)\}", MESSAGES[resolved][MESSAGE_KEYS.index(key)])
    return "".join(("\u2068" + values.get(p, "") + "\u2069" if rtl else values.get(p, "")) if i % 2 else p
                   for i, p in enumerate(parts))


def amount(session: Any, locale: Optional[str] = None) -> str:
    """A session's amount as CLDR lays it out for the shopper's language."""
    tag = locale or session.locale
    return locales.amount_text(session.amount, session.currency, tag)

