"""What the Jinja macros (``templates/paykka/macros.html``) ask the app for: the page's CSP
nonce and the mount layer's configuration. Registered as Jinja globals by ``init_app``."""

from __future__ import annotations

import re
from typing import Any, Optional
from urllib.parse import urlsplit

from flask import Flask, current_app, g, url_for

from .. import catalogue, locales
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
        "messages": mount_messages(tag),
    }


def register(app: Flask) -> None:
    app.jinja_env.globals["paykka_csp_nonce"] = csp_nonce
    app.jinja_env.globals["paykka_config"] = script_config
    app.jinja_env.globals["paykka_messages"] = messages_for
    app.jinja_env.globals["paykka_mount_messages"] = mount_messages
    app.jinja_env.globals["paykka_words"] = words
    app.jinja_env.globals["paykka_amount"] = amount
    app.jinja_env.globals["paykka_lang"] = locales.resolve
    app.jinja_env.globals["paykka_dir"] = lambda tag: locales.direction(locales.resolve(tag))
    app.jinja_env.globals["paykka_safe_url"] = safe_url
    # What a shopper reads for a card brand, as the checkout shows it ("Mastercard ending in 4444").
    app.jinja_env.globals["paykka_brand_label"] = catalogue.brand_label


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


#: What the toolkit itself shows, by name, per supported locale (:data:`paykka_embed.locales.SUPPORTED`).
#: The mount layer's own (:data:`MOUNT_MESSAGES`) go to the browser with the page, as an object by
#: name (``MountMessages`` in paykka-embed.d.ts), so the script stays small and a new language needs no
#: JavaScript; the rest are the macros' own text. ``{r}`` is a reason, ``{amount}`` an amount.
MESSAGES: dict[str, dict[str, str]] = {
    "en-US": {
        "retry": "Try again",
        "expired": "Your checkout session expired.",
        "unavailable": "The payment form could not be loaded: {r}",
        "alreadyPaid": "This order has already been paid.",
        "viewOrder": "View your order",
        "inProgress": "A payment for this order is still being processed.",
        "checkAgain": "Check again",
        "loading": "Loading payment methods…",
        "noscript": "Payment needs JavaScript. Please enable it, or use another browser.",
        "pay": "Pay {amount}",
        "payNow": "Pay now",
    },
    "zh-CN": {
        "retry": "重试",
        "expired": "支付会话已过期。",
        "unavailable": "无法加载支付表单：{r}",
        "alreadyPaid": "此订单已付款。",
        "viewOrder": "查看订单",
        "inProgress": "此订单的一笔付款仍在处理中。",
        "checkAgain": "再次检查",
        "loading": "正在加载支付方式…",
        "noscript": "付款需要 JavaScript。请启用它，或换用其他浏览器。",
        "pay": "支付 {amount}",
        "payNow": "立即支付",
    },
    "zh-HK": {
        "retry": "重試",
        "expired": "付款工作階段已過期。",
        "unavailable": "無法載入付款表單：{r}",
        "alreadyPaid": "此訂單已付款。",
        "viewOrder": "查看訂單",
        "inProgress": "此訂單的一筆付款仍在處理中。",
        "checkAgain": "再次檢查",
        "loading": "正在載入付款方式…",
        "noscript": "付款需要 JavaScript。請啟用它，或改用其他瀏覽器。",
        "pay": "支付 {amount}",
        "payNow": "立即付款",
    },
    "ja-JP": {
        "retry": "もう一度試す",
        "expired": "お支払いの有効期限が切れました。",
        "unavailable": "お支払いフォームを読み込めませんでした：{r}",
        "alreadyPaid": "このご注文はお支払い済みです。",
        "viewOrder": "ご注文を表示",
        "inProgress": "このご注文のお支払いはまだ処理中です。",
        "checkAgain": "もう一度確認",
        "loading": "お支払い方法を読み込んでいます…",
        "noscript": "お支払いには JavaScript が必要です。有効にするか、別のブラウザをご利用ください。",
        "pay": "{amount} を支払う",
        "payNow": "今すぐ支払う",
    },
    "ko-KR": {
        "retry": "다시 시도",
        "expired": "결제 세션이 만료되었습니다.",
        "unavailable": "결제 양식을 불러올 수 없습니다: {r}",
        "alreadyPaid": "이 주문은 이미 결제되었습니다.",
        "viewOrder": "주문 보기",
        "inProgress": "이 주문의 결제가 아직 처리 중입니다.",
        "checkAgain": "다시 확인",
        "loading": "결제 수단을 불러오는 중…",
        "noscript": "결제하려면 JavaScript가 필요합니다. 사용하도록 설정하거나 다른 브라우저를 이용해 주세요.",
        "pay": "{amount} 결제",
        "payNow": "지금 결제",
    },
    "th-TH": {
        "retry": "ลองอีกครั้ง",
        "expired": "เซสชันการชำระเงินหมดอายุแล้ว",
        "unavailable": "ไม่สามารถโหลดแบบฟอร์มการชำระเงินได้: {r}",
        "alreadyPaid": "คำสั่งซื้อนี้ชำระเงินแล้ว",
        "viewOrder": "ดูคำสั่งซื้อ",
        "inProgress": "การชำระเงินสำหรับคำสั่งซื้อนี้ยังอยู่ระหว่างดำเนินการ",
        "checkAgain": "ตรวจสอบอีกครั้ง",
        "loading": "กำลังโหลดวิธีการชำระเงิน…",
        "noscript": "การชำระเงินต้องใช้ JavaScript โปรดเปิดใช้งาน หรือใช้เบราว์เซอร์อื่น",
        "pay": "ชำระ {amount}",
        "payNow": "ชำระเงินตอนนี้",
    },
    "vi-VN": {
        "retry": "Thử lại",
        "expired": "Phiên thanh toán đã hết hạn.",
        "unavailable": "Không thể tải biểu mẫu thanh toán: {r}",
        "alreadyPaid": "Đơn hàng này đã được thanh toán.",
        "viewOrder": "Xem đơn hàng",
        "inProgress": "Một khoản thanh toán cho đơn hàng này vẫn đang được xử lý.",
        "checkAgain": "Kiểm tra lại",
        "loading": "Đang tải phương thức thanh toán…",
        "noscript": "Thanh toán cần JavaScript. Vui lòng bật JavaScript hoặc dùng trình duyệt khác.",
        "pay": "Thanh toán {amount}",
        "payNow": "Thanh toán ngay",
    },
    "id-ID": {
        "retry": "Coba lagi",
        "expired": "Sesi pembayaran Anda telah berakhir.",
        "unavailable": "Formulir pembayaran tidak dapat dimuat: {r}",
        "alreadyPaid": "Pesanan ini sudah dibayar.",
        "viewOrder": "Lihat pesanan",
        "inProgress": "Pembayaran untuk pesanan ini masih diproses.",
        "checkAgain": "Periksa lagi",
        "loading": "Memuat metode pembayaran…",
        "noscript": "Pembayaran memerlukan JavaScript. Aktifkan JavaScript atau gunakan browser lain.",
        "pay": "Bayar {amount}",
        "payNow": "Bayar sekarang",
    },
    "ms-MY": {
        "retry": "Cuba lagi",
        "expired": "Sesi pembayaran anda telah tamat.",
        "unavailable": "Borang pembayaran tidak dapat dimuatkan: {r}",
        "alreadyPaid": "Pesanan ini telah dibayar.",
        "viewOrder": "Lihat pesanan",
        "inProgress": "Pembayaran untuk pesanan ini masih diproses.",
        "checkAgain": "Semak semula",
        "loading": "Memuatkan kaedah pembayaran…",
        "noscript": "Pembayaran memerlukan JavaScript. Sila dayakannya atau gunakan pelayar lain.",
        "pay": "Bayar {amount}",
        "payNow": "Bayar sekarang",
    },
    "fil-PH": {
        "retry": "Subukan muli",
        "expired": "Nag-expire na ang iyong checkout session.",
        "unavailable": "Hindi ma-load ang payment form: {r}",
        "alreadyPaid": "Bayad na ang order na ito.",
        "viewOrder": "Tingnan ang order",
        "inProgress": "Pinoproseso pa ang isang bayad para sa order na ito.",
        "checkAgain": "Suriin muli",
        "loading": "Nilo-load ang mga paraan ng pagbabayad…",
        "noscript": "Kailangan ng JavaScript para makapagbayad. Paganahin ito, o gumamit ng ibang browser.",
        "pay": "Magbayad ng {amount}",
        "payNow": "Magbayad ngayon",
    },
    "fr-FR": {
        "retry": "Réessayer",
        "expired": "Votre session de paiement a expiré.",
        "unavailable": "Le formulaire de paiement n'a pas pu être chargé : {r}",
        "alreadyPaid": "Cette commande a déjà été payée.",
        "viewOrder": "Voir la commande",
        "inProgress": "Un paiement pour cette commande est encore en cours de traitement.",
        "checkAgain": "Vérifier à nouveau",
        "loading": "Chargement des moyens de paiement…",
        "noscript": "Le paiement nécessite JavaScript. Activez-le ou utilisez un autre navigateur.",
        "pay": "Payer {amount}",
        "payNow": "Payer maintenant",
    },
    "de-DE": {
        "retry": "Erneut versuchen",
        "expired": "Ihre Bezahlsitzung ist abgelaufen.",
        "unavailable": "Das Zahlungsformular konnte nicht geladen werden: {r}",
        "alreadyPaid": "Diese Bestellung wurde bereits bezahlt.",
        "viewOrder": "Bestellung ansehen",
        "inProgress": "Eine Zahlung für diese Bestellung wird noch bearbeitet.",
        "checkAgain": "Erneut prüfen",
        "loading": "Zahlungsarten werden geladen…",
        "noscript": "Zum Bezahlen wird JavaScript benötigt. Bitte aktivieren Sie es oder verwenden Sie einen anderen Browser.",
        "pay": "{amount} bezahlen",
        "payNow": "Jetzt bezahlen",
    },
    "es-ES": {
        "retry": "Reintentar",
        "expired": "Tu sesión de pago ha caducado.",
        "unavailable": "No se pudo cargar el formulario de pago: {r}",
        "alreadyPaid": "Este pedido ya está pagado.",
        "viewOrder": "Ver el pedido",
        "inProgress": "Un pago de este pedido todavía se está procesando.",
        "checkAgain": "Comprobar de nuevo",
        "loading": "Cargando métodos de pago…",
        "noscript": "El pago necesita JavaScript. Actívalo o usa otro navegador.",
        "pay": "Pagar {amount}",
        "payNow": "Pagar ahora",
    },
    "ar": {
        "retry": "حاول مرة أخرى",
        "expired": "انتهت صلاحية جلسة الدفع.",
        "unavailable": "تعذر تحميل نموذج الدفع: {r}",
        "alreadyPaid": "تم دفع هذا الطلب بالفعل.",
        "viewOrder": "عرض الطلب",
        "inProgress": "لا تزال عملية دفع لهذا الطلب قيد المعالجة.",
        "checkAgain": "تحقق مرة أخرى",
        "loading": "جارٍ تحميل طرق الدفع…",
        "noscript": "يتطلب الدفع تفعيل JavaScript. يُرجى تفعيله أو استخدام متصفح آخر.",
        "pay": "ادفع {amount}",
        "payNow": "ادفع الآن",
    },
}

#: The words the mount layer shows (``messages`` in paykka-embed.d.ts): retry, the session expired,
#: the checkout could not load, the order is paid (and its link), a payment is in progress (and
#: asking again). A decline is not among them: the SDK shows it, once.
MOUNT_MESSAGES = ("retry", "expired", "unavailable", "alreadyPaid", "viewOrder", "inProgress", "checkAgain")


def messages_for(locale: Optional[str]) -> dict[str, str]:
    """The toolkit's words for a BCP 47 tag, by name, by the toolkit's one locale rule
    (``zh-Hans-HK`` → Simplified, ``zh-HK`` → Traditional, ``iw`` → English)."""
    return dict(MESSAGES[locales.resolve(locale)])


def mount_messages(locale: Optional[str]) -> dict[str, str]:
    """The mount layer's words (:data:`MOUNT_MESSAGES`) for a BCP 47 tag, by name."""
    table = MESSAGES[locales.resolve(locale)]
    return {key: table[key] for key in MOUNT_MESSAGES}


def words(locale: Optional[str], key: str, **values: str) -> str:
    """One of the macros' texts. In a right-to-left language each value sits between
    first-strong isolates (FSI … PDI), so an amount or a name keeps its order inside the
    sentence; the macros add no element for it (every tag they emit carries the nonce)."""
    resolved = locales.resolve(locale)
    rtl = locales.direction(resolved) == "rtl"
    parts = re.split(r"\{(\w+)\}", MESSAGES[resolved][key])
    return "".join(("\u2068" + values.get(p, "") + "\u2069" if rtl else values.get(p, "")) if i % 2 else p
                   for i, p in enumerate(parts))


def amount(session: Any, locale: Optional[str] = None) -> str:
    """A session's amount as CLDR lays it out for the shopper's language."""
    tag = locale or session.locale
    return locales.amount_text(session.amount, session.currency, tag)

