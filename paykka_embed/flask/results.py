"""The extension's own result page, for apps that configure no ``PAYKKA_SUCCESS_URL`` /
``PAYKKA_FAILURE_URL``: the shortest integration ends on a page that says what happened,
in the shopper's language, instead of on a 404.

The page is ``GET {prefix}/result/<token>``, where the token is the attempt's ``trans_id``
signed with the app's ``SECRET_KEY`` (itsdangerous), so nobody can read another order's
state by guessing references. It shows one of three states — received, being confirmed
(the page asks PayKKa again and reloads itself every few seconds), not completed — and
nothing technical; the back office has the details.
"""

from __future__ import annotations

import math
from datetime import timedelta
from typing import Optional

from flask import Response, current_app, render_template, request, url_for
from itsdangerous import BadSignature, URLSafeSerializer

from .. import locales
from ..store import AttemptRecord
from ..store.base import FLAG_DUPLICATE, FLAG_MISMATCH

SALT = "paykka-embed result page"
RECEIVED, PROCESSING, NOT_COMPLETED, DUPLICATE = "received", "processing", "not_completed", "duplicate"
#: PayKKa could not be reached (or failed) while a merchant's page was starting a payment.
UNAVAILABLE = "unavailable"
#: Seconds between the processing page's reloads.
REFRESH_SECONDS = 4

#: (title, text) per state and language; ``{order}`` is the merchant's order reference.
MESSAGES: dict[str, dict[str, tuple[str, str]]] = {
    "en-US": {
        UNAVAILABLE: ("Payment unavailable", "We could not reach the payment service just now. Please try again in a moment."),
        DUPLICATE: ("Order already paid", "Order {order} had already been paid, so this second payment will be returned to you in full."),
        RECEIVED: ("Payment received", "Thank you. Your payment for order {order} has been received."),
        PROCESSING: ("Confirming your payment", "Your payment for order {order} is being confirmed. "
                                                "This page updates itself."),
        NOT_COMPLETED: ("Payment not completed", "Your payment for order {order} was not completed and you have "
                                                 "not been charged. Go back to try again."),
    },
    "zh-CN": {
        UNAVAILABLE: ("暂时无法付款", "暂时无法连接支付服务，请稍后再试。"),
        DUPLICATE: ("订单已付款", "订单 {order} 此前已付款，因此这笔重复付款将全额退还给您。"),
        RECEIVED: ("已收到付款", "谢谢。您订单 {order} 的付款已收到。"),
        PROCESSING: ("正在确认付款", "正在确认您订单 {order} 的付款。此页面会自动更新。"),
        NOT_COMPLETED: ("付款未完成", "您订单 {order} 的付款未完成，您未被扣款。请返回重试。"),
    },
    "zh-HK": {
        UNAVAILABLE: ("暫時無法付款", "暫時無法連接付款服務，請稍後再試。"),
        DUPLICATE: ("訂單已付款", "訂單 {order} 此前已付款，因此這筆重複付款將全額退還給您。"),
        RECEIVED: ("已收到付款", "謝謝。您訂單 {order} 的付款已收到。"),
        PROCESSING: ("正在確認付款", "正在確認您訂單 {order} 的付款。此頁面會自動更新。"),
        NOT_COMPLETED: ("付款未完成", "您訂單 {order} 的付款未完成，您未被扣款。請返回重試。"),
    },
    "ja-JP": {
        UNAVAILABLE: ("現在お支払いできません", "ただいま決済サービスに接続できません。しばらくしてからもう一度お試しください。"),
        DUPLICATE: ("ご注文はお支払い済みです", "ご注文 {order} はすでにお支払い済みのため、今回のお支払いは全額返金されます。"),
        RECEIVED: ("お支払いを受け付けました", "ありがとうございます。ご注文 {order} のお支払いを受け付けました。"),
        PROCESSING: ("お支払いを確認しています", "ご注文 {order} のお支払いを確認しています。このページは自動的に更新されます。"),
        NOT_COMPLETED: ("お支払いは完了していません", "ご注文 {order} のお支払いは完了せず、請求は発生していません。"
                                                "戻ってもう一度お試しください。"),
    },
    "ko-KR": {
        UNAVAILABLE: ("지금은 결제할 수 없습니다", "지금은 결제 서비스에 연결할 수 없습니다. 잠시 후 다시 시도하세요."),
        DUPLICATE: ("이미 결제된 주문입니다", "주문 {order}은(는) 이미 결제되었으므로 이번 결제는 전액 환불됩니다."),
        RECEIVED: ("결제가 완료되었습니다", "감사합니다. 주문 {order}의 결제가 접수되었습니다."),
        PROCESSING: ("결제를 확인하는 중입니다", "주문 {order}의 결제를 확인하고 있습니다. 이 페이지는 자동으로 업데이트됩니다."),
        NOT_COMPLETED: ("결제가 완료되지 않았습니다", "주문 {order}의 결제가 완료되지 않았으며 요금이 청구되지 않았습니다. "
                                                "돌아가서 다시 시도하세요."),
    },
    "th-TH": {
        UNAVAILABLE: ("ไม่สามารถชำระเงินได้ในขณะนี้", "ไม่สามารถเชื่อมต่อบริการชำระเงินได้ในขณะนี้ โปรดลองอีกครั้งในอีกสักครู่"),
        DUPLICATE: ("คำสั่งซื้อชำระเงินแล้ว", "คำสั่งซื้อ {order} ชำระเงินไปแล้ว การชำระเงินครั้งที่สองนี้จะคืนให้คุณเต็มจำนวน"),
        RECEIVED: ("ได้รับการชำระเงินแล้ว", "ขอบคุณ เราได้รับการชำระเงินสำหรับคำสั่งซื้อ {order} แล้ว"),
        PROCESSING: ("กำลังยืนยันการชำระเงิน", "กำลังยืนยันการชำระเงินสำหรับคำสั่งซื้อ {order} หน้านี้จะอัปเดตเอง"),
        NOT_COMPLETED: ("การชำระเงินไม่สำเร็จ", "การชำระเงินสำหรับคำสั่งซื้อ {order} ไม่สำเร็จ และคุณยังไม่ถูกเรียกเก็บเงิน "
                                              "กรุณากลับไปลองอีกครั้ง"),
    },
    "vi-VN": {
        UNAVAILABLE: ("Tạm thời không thể thanh toán", "Hiện không thể kết nối với dịch vụ thanh toán. Vui lòng thử lại sau ít phút."),
        DUPLICATE: ("Đơn hàng đã được thanh toán", "Đơn hàng {order} đã được thanh toán trước đó, nên khoản thanh toán thứ hai này sẽ được hoàn lại đầy đủ cho bạn."),
        RECEIVED: ("Đã nhận thanh toán", "Cảm ơn bạn. Chúng tôi đã nhận được thanh toán cho đơn hàng {order}."),
        PROCESSING: ("Đang xác nhận thanh toán", "Thanh toán cho đơn hàng {order} đang được xác nhận. "
                                                 "Trang này sẽ tự cập nhật."),
        NOT_COMPLETED: ("Thanh toán chưa hoàn tất", "Thanh toán cho đơn hàng {order} chưa hoàn tất và bạn chưa bị "
                                                    "trừ tiền. Hãy quay lại để thử lại."),
    },
    "id-ID": {
        UNAVAILABLE: ("Pembayaran tidak tersedia", "Layanan pembayaran tidak dapat dihubungi saat ini. Silakan coba lagi sebentar lagi."),
        DUPLICATE: ("Pesanan sudah dibayar", "Pesanan {order} sudah dibayar sebelumnya, jadi pembayaran kedua ini akan dikembalikan sepenuhnya kepada Anda."),
        RECEIVED: ("Pembayaran diterima", "Terima kasih. Pembayaran untuk pesanan {order} telah kami terima."),
        PROCESSING: ("Mengonfirmasi pembayaran", "Pembayaran untuk pesanan {order} sedang dikonfirmasi. "
                                                 "Halaman ini diperbarui otomatis."),
        NOT_COMPLETED: ("Pembayaran tidak selesai", "Pembayaran untuk pesanan {order} tidak selesai dan Anda tidak "
                                                    "dikenai biaya. Kembali untuk mencoba lagi."),
    },
    "ms-MY": {
        UNAVAILABLE: ("Pembayaran tidak tersedia", "Perkhidmatan pembayaran tidak dapat dihubungi buat masa ini. Sila cuba lagi sebentar lagi."),
        DUPLICATE: ("Pesanan sudah dibayar", "Pesanan {order} sudah dibayar sebelum ini, jadi bayaran kedua ini akan dipulangkan sepenuhnya kepada anda."),
        RECEIVED: ("Pembayaran diterima", "Terima kasih. Pembayaran untuk pesanan {order} telah diterima."),
        PROCESSING: ("Mengesahkan pembayaran", "Pembayaran untuk pesanan {order} sedang disahkan. "
                                               "Halaman ini dikemas kini secara automatik."),
        NOT_COMPLETED: ("Pembayaran tidak selesai", "Pembayaran untuk pesanan {order} tidak selesai dan anda tidak "
                                                    "dicaj. Kembali untuk mencuba lagi."),
    },
    "fil-PH": {
        UNAVAILABLE: ("Hindi makapagbayad sa ngayon", "Hindi maabot ang serbisyo ng pagbabayad sa ngayon. Pakisubukan muli maya-maya."),
        DUPLICATE: ("Bayad na ang order", "Bayad na ang order {order}, kaya ibabalik sa iyo nang buo ang ikalawang bayad na ito."),
        RECEIVED: ("Natanggap ang bayad", "Salamat. Natanggap na ang bayad para sa order {order}."),
        PROCESSING: ("Kinukumpirma ang bayad", "Kinukumpirma ang bayad para sa order {order}. "
                                               "Kusang mag-a-update ang pahinang ito."),
        NOT_COMPLETED: ("Hindi natapos ang pagbabayad", "Hindi natapos ang pagbabayad para sa order {order} at hindi "
                                                        "ka siningil. Bumalik para subukan muli."),
    },
    "fr-FR": {
        UNAVAILABLE: ("Paiement indisponible", "Le service de paiement est injoignable pour le moment. Veuillez réessayer dans un instant."),
        DUPLICATE: ("Commande déjà payée", "La commande {order} avait déjà été payée : ce second paiement vous sera remboursé intégralement."),
        RECEIVED: ("Paiement reçu", "Merci. Le paiement de la commande {order} a bien été reçu."),
        PROCESSING: ("Confirmation du paiement", "Le paiement de la commande {order} est en cours de confirmation. "
                                                 "Cette page se met à jour toute seule."),
        NOT_COMPLETED: ("Paiement non abouti", "Le paiement de la commande {order} n'a pas abouti et vous n'avez "
                                               "pas été débité. Revenez en arrière pour réessayer."),
    },
    "de-DE": {
        UNAVAILABLE: ("Zahlung nicht möglich", "Der Zahlungsdienst ist gerade nicht erreichbar. Bitte versuchen Sie es gleich noch einmal."),
        DUPLICATE: ("Bestellung bereits bezahlt", "Die Bestellung {order} war bereits bezahlt; diese zweite Zahlung wird Ihnen vollständig erstattet."),
        RECEIVED: ("Zahlung erhalten", "Vielen Dank. Die Zahlung für Bestellung {order} ist eingegangen."),
        PROCESSING: ("Zahlung wird bestätigt", "Die Zahlung für Bestellung {order} wird bestätigt. "
                                               "Diese Seite aktualisiert sich selbst."),
        NOT_COMPLETED: ("Zahlung nicht abgeschlossen", "Die Zahlung für Bestellung {order} wurde nicht abgeschlossen, "
                                                       "es wurde nichts abgebucht. Gehen Sie zurück, um es erneut "
                                                       "zu versuchen."),
    },
    "es-ES": {
        UNAVAILABLE: ("Pago no disponible", "No podemos conectar con el servicio de pago en este momento. Inténtalo de nuevo en unos instantes."),
        DUPLICATE: ("Pedido ya pagado", "El pedido {order} ya estaba pagado, así que este segundo pago se te devolverá íntegramente."),
        RECEIVED: ("Pago recibido", "Gracias. Hemos recibido el pago del pedido {order}."),
        PROCESSING: ("Confirmando el pago", "Estamos confirmando el pago del pedido {order}. "
                                            "Esta página se actualiza sola."),
        NOT_COMPLETED: ("Pago no completado", "El pago del pedido {order} no se completó y no se te ha cobrado. "
                                              "Vuelve atrás para intentarlo de nuevo."),
    },
    "ar": {
        UNAVAILABLE: ("الدفع غير متاح", "تعذّر الوصول إلى خدمة الدفع الآن. يُرجى المحاولة مرة أخرى بعد قليل."),
        DUPLICATE: ("تم دفع الطلب مسبقًا", "تم دفع الطلب {order} مسبقًا، لذا سيُعاد إليك هذا الدفع الثاني بالكامل."),
        RECEIVED: ("تم استلام الدفعة", "شكرًا لك. تم استلام دفعة الطلب {order}."),
        PROCESSING: ("جارٍ تأكيد الدفعة", "جارٍ تأكيد دفعة الطلب {order}. ستتحدث هذه الصفحة تلقائيًا."),
        NOT_COMPLETED: ("لم تكتمل عملية الدفع", "لم تكتمل دفعة الطلب {order} ولم يتم خصم أي مبلغ منك. "
                                               "ارجع للمحاولة مرة أخرى."),
    },
}

#: Said under "being confirmed" when the payment in flight can end by itself (a 3DS challenge or a wallet the
#: shopper left): in how many minutes the order can be paid again.
ENDS_WITHIN: dict[str, str] = {
    "en-US": "If you left that payment unfinished, it ends by itself within {minutes} minutes and you can pay again.",
    "zh-CN": "如果您未完成该付款，它将在 {minutes} 分钟内自动结束，之后您可以重新付款。",
    "zh-HK": "如果您未完成該付款，它將在 {minutes} 分鐘內自動結束，之後您可以重新付款。",
    "ja-JP": "そのお支払いを途中でやめた場合は、{minutes} 分以内に自動的に終了し、もう一度お支払いいただけます。",
    "ko-KR": "그 결제를 끝내지 않았다면 {minutes}분 안에 자동으로 종료되며 다시 결제할 수 있습니다.",
    "th-TH": "หากคุณไม่ได้ชำระเงินนั้นให้เสร็จ จะสิ้นสุดเองภายใน {minutes} นาที แล้วคุณจะชำระเงินใหม่ได้",
    "vi-VN": "Nếu bạn chưa hoàn tất khoản thanh toán đó, nó sẽ tự kết thúc trong vòng {minutes} phút và bạn có thể thanh toán lại.",
    "id-ID": "Jika Anda tidak menyelesaikan pembayaran itu, pembayaran akan berakhir sendiri dalam {minutes} menit dan Anda dapat membayar lagi.",
    "ms-MY": "Jika anda tidak menyelesaikan bayaran itu, ia akan tamat sendiri dalam {minutes} minit dan anda boleh membayar semula.",
    "fil-PH": "Kung hindi mo tinapos ang bayad na iyon, kusa itong matatapos sa loob ng {minutes} minuto at makakapagbayad ka ulit.",
    "fr-FR": "Si vous n'avez pas terminé ce paiement, il prend fin de lui-même d'ici {minutes} minutes et vous pourrez payer à nouveau.",
    "de-DE": "Wenn Sie diese Zahlung nicht abgeschlossen haben, endet sie innerhalb von {minutes} Minuten von selbst und Sie können erneut bezahlen.",
    "es-ES": "Si no terminaste ese pago, finalizará solo en {minutes} minutos y podrás volver a pagar.",
    "ar": "إذا لم تُكمل ذلك الدفع، فسينتهي تلقائيًا خلال {minutes} دقيقة ويمكنك الدفع مرة أخرى.",
}

#: The link back to ``PAYKKA_SHOP_URL``, when the app sets one.
BACK = {"en-US": "Back to the shop", "zh-CN": "返回商店", "zh-HK": "返回商店", "ja-JP": "ショップに戻る",
        "ko-KR": "쇼핑몰로 돌아가기", "th-TH": "กลับไปที่ร้านค้า", "vi-VN": "Quay lại cửa hàng", "id-ID": "Kembali ke toko",
        "ms-MY": "Kembali ke kedai", "fil-PH": "Bumalik sa tindahan", "fr-FR": "Retour à la boutique",
        "de-DE": "Zurück zum Shop", "es-ES": "Volver a la tienda", "ar": "العودة إلى المتجر"}

def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.secret_key or "", salt=SALT)


def result_page_url(attempt: AttemptRecord) -> str:
    """The signed URL of ``attempt``'s result page (the app needs a ``SECRET_KEY``)."""
    return url_for("paykka.result", token=_serializer().dumps(attempt.trans_id))


def trans_id_of(token: str) -> Optional[str]:
    """The ``trans_id`` a result-page token was signed for, or None for a forged or foreign token."""
    try:
        value = _serializer().loads(token)
    except BadSignature:
        return None
    return value if isinstance(value, str) else None


def state_of(attempt: AttemptRecord, paid_by: Optional[str]) -> str:
    """What the shopper is told: only the attempt that paid the order is "received"; a second payment
    of a paid order is a duplicate, to be returned."""
    if attempt.flag == FLAG_DUPLICATE:
        return DUPLICATE
    if paid_by == attempt.trans_id and attempt.flag != FLAG_MISMATCH:
        return RECEIVED
    if paid_by is not None:  # the order was paid by another attempt: that is what counts for the shopper
        return RECEIVED
    if attempt.status == "PROCESSING" or attempt.flag == FLAG_MISMATCH:
        return PROCESSING
    return NOT_COMPLETED


def messages_key(preferred: Optional[str] = None) -> str:
    """The shopper's language among the 14 the page speaks (:mod:`paykka_embed.locales`' rule):
    ``preferred`` (a BCP 47 tag), else the first of the browser's Accept-Language the page
    speaks, else ``PAYKKA_LOCALE``, else English."""
    wanted = [preferred] if preferred else []
    wanted += [lang for lang, _ in request.accept_languages]
    wanted.append(current_app.config.get("PAYKKA_LOCALE") or locales.DEFAULT)
    return locales.first_supported(wanted) or locales.DEFAULT


def render(state: str, order_ref: str, *, status: int = 200, preferred_locale: Optional[str] = None,
           ends_within: Optional[timedelta] = None) -> Response:
    """The result page in ``state`` (received, processing, not_completed, duplicate, unavailable) for ``order_ref``,
    uncached; ``ends_within``: when a payment in flight ends by itself (said under "being confirmed")."""
    key = messages_key(preferred_locale)
    title, text = MESSAGES[key][state]
    before, _, after = text.partition("{order}")
    if state == PROCESSING and ends_within is not None and ends_within.total_seconds() > 0:
        minutes = max(1, math.ceil(ends_within.total_seconds() / 60))
        after += " " + ENDS_WITHIN[key].replace("{minutes}", str(minutes))
    page = render_template("paykka/result.html", state=state, title=title, before=before, after=after,
                           order=order_ref, lang=key, rtl=locales.direction(key) == "rtl", refresh=REFRESH_SECONDS,
                           shop_url=current_app.config.get("PAYKKA_SHOP_URL"), back=BACK[key])
    resp = Response(page, status=status, mimetype="text/html")
    resp.headers["Cache-Control"] = "no-store"
    resp.headers.setdefault("Referrer-Policy", "no-referrer")
    return resp
