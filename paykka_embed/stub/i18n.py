"""The checkout's words in the 14 locales PayKKa's checkout speaks, and how a requested
language tag finds one of them.

Kept on the server so each shopper downloads one table (the SDK receives it with the
session, the card frame and the stub's pages render it) instead of all fourteen.
Missing keys fall back to en-US, so a new message never shows up blank.
"""

from __future__ import annotations

import re
from typing import Optional

DEFAULT = "en-US"
RTL = frozenset({"ar"})

MESSAGES: dict[str, dict[str, str]] = {
    "en-US": {
        "pay": "Pay {amount}", "continueWith": "Continue with {method}", "card": "Card",
        "savedCard": "{brand} ending in {last4}", "expires": "Expires {date}", "methods": "Payment method",
        "saveCard": "Save this card for future payments", "cardSaved": "This card will be saved for future payments.",
        "paying": "Processing payment…", "paid": "Payment successful", "declined": "Payment declined: {reason}",
        "expired": "This checkout has expired. Please start again.", "error": "Something went wrong: {reason}",
        "cancelled": "Payment cancelled", "timeout": "The payment was not confirmed in time.",
        "frameTitle": "Secure card payment fields", "simulated": "Simulated {method}: no real payment is made.",
        "scanQr": "Scan the QR code with {method} to pay", "openSimulator": "Open the {method} simulator",
        "waiting": "Waiting for confirmation in {method}…", "redirectNote": "You will be taken to {method} to confirm.",
        "notAvailable": "{method} is not available for this payment.",
        "threeDsTitle": "Verify your payment", "threeDsText": "Your bank asks you to confirm a payment of {amount} to {merchant}.",
        "pass": "Pass verification", "fail": "Fail verification", "close": "Close", "cancel": "Cancel",
        "approve": "Approve payment", "decline": "Decline", "walletDone": "Done. You can return to the checkout.",
        "cardNumber": "Card number", "expiry": "Expiry date", "cvv": "Security code", "holder": "Name on card",
        "numberRequired": "Enter the card number", "numberInvalid": "This card number is not valid",
        "brandUnsupported": "{brand} is not accepted here", "expiryRequired": "Enter the expiry date",
        "expiryInvalid": "Use the format MM/YY", "expiryPast": "This card has expired",
        "cvvRequired": "Enter the security code", "cvvInvalid": "The security code has {n} digits",
        "back": "Back to {merchant}", "total": "Total", "hostedExpired": "This payment page has expired.",
        "alreadyPaid": "This payment is already complete.", "testMode": "Test environment: no real money moves.",
    },
    "zh-CN": {
        "pay": "支付 {amount}", "continueWith": "使用 {method} 继续", "card": "银行卡",
        "savedCard": "{brand}，尾号 {last4}", "expires": "有效期至 {date}", "methods": "支付方式",
        "saveCard": "保存此卡以便下次支付", "cardSaved": "此卡将被保存以便下次支付。",
        "paying": "正在处理付款…", "paid": "支付成功", "declined": "支付被拒绝：{reason}",
        "expired": "收银台已过期，请重新开始。", "error": "出现问题：{reason}",
        "cancelled": "支付已取消", "timeout": "未能及时确认支付。",
        "frameTitle": "安全的银行卡支付信息", "simulated": "模拟的 {method}：不会产生真实付款。",
        "scanQr": "请使用 {method} 扫描二维码支付", "openSimulator": "打开 {method} 模拟器",
        "waiting": "等待在 {method} 中确认…", "redirectNote": "您将被转到 {method} 确认付款。",
        "notAvailable": "此笔付款不支持 {method}。",
        "threeDsTitle": "验证您的付款", "threeDsText": "您的银行请您确认向 {merchant} 支付 {amount}。",
        "pass": "验证通过", "fail": "验证失败", "close": "关闭", "cancel": "取消",
        "approve": "批准付款", "decline": "拒绝", "walletDone": "完成，您可以返回收银台。",
        "cardNumber": "卡号", "expiry": "有效期", "cvv": "安全码", "holder": "持卡人姓名",
        "numberRequired": "请输入卡号", "numberInvalid": "卡号无效", "brandUnsupported": "不支持 {brand}",
        "expiryRequired": "请输入有效期", "expiryInvalid": "请使用 MM/YY 格式", "expiryPast": "此卡已过期",
        "cvvRequired": "请输入安全码", "cvvInvalid": "安全码为 {n} 位数字",
        "back": "返回 {merchant}", "total": "合计", "hostedExpired": "此支付页面已过期。",
        "alreadyPaid": "此笔付款已完成。", "testMode": "测试环境：不会产生真实资金流动。",
    },
    "zh-HK": {
        "pay": "支付 {amount}", "continueWith": "使用 {method} 繼續", "card": "銀行卡",
        "savedCard": "{brand}，尾號 {last4}", "expires": "有效期至 {date}", "methods": "付款方式",
        "saveCard": "儲存此卡以便下次付款", "cardSaved": "此卡將被儲存以便下次付款。",
        "paying": "正在處理付款…", "paid": "付款成功", "declined": "付款被拒絕：{reason}",
        "expired": "收銀台已過期，請重新開始。", "error": "出現問題：{reason}",
        "cancelled": "付款已取消", "timeout": "未能及時確認付款。",
        "frameTitle": "安全的銀行卡付款資料", "simulated": "模擬的 {method}：不會產生真實付款。",
        "scanQr": "請使用 {method} 掃描二維碼付款", "openSimulator": "開啟 {method} 模擬器",
        "waiting": "等待在 {method} 中確認…", "redirectNote": "您將被轉到 {method} 確認付款。",
        "notAvailable": "此筆付款不支援 {method}。",
        "threeDsTitle": "驗證您的付款", "threeDsText": "您的銀行請您確認向 {merchant} 支付 {amount}。",
        "pass": "驗證通過", "fail": "驗證失敗", "close": "關閉", "cancel": "取消",
        "approve": "批准付款", "decline": "拒絕", "walletDone": "完成，您可以返回收銀台。",
        "cardNumber": "卡號", "expiry": "有效期", "cvv": "安全碼", "holder": "持卡人姓名",
        "numberRequired": "請輸入卡號", "numberInvalid": "卡號無效", "brandUnsupported": "不支援 {brand}",
        "expiryRequired": "請輸入有效期", "expiryInvalid": "請使用 MM/YY 格式", "expiryPast": "此卡已過期",
        "cvvRequired": "請輸入安全碼", "cvvInvalid": "安全碼為 {n} 位數字",
        "back": "返回 {merchant}", "total": "合計", "hostedExpired": "此付款頁面已過期。",
        "alreadyPaid": "此筆付款已完成。", "testMode": "測試環境：不會產生真實資金流動。",
    },
    "ja-JP": {
        "pay": "{amount} を支払う", "continueWith": "{method} で続ける", "card": "カード",
        "savedCard": "{brand}（末尾 {last4}）", "expires": "有効期限 {date}", "methods": "お支払い方法",
        "saveCard": "次回のためにこのカードを保存する", "cardSaved": "このカードは次回のお支払いのために保存されます。",
        "paying": "お支払いを処理しています…", "paid": "お支払いが完了しました", "declined": "お支払いが拒否されました：{reason}",
        "expired": "このチェックアウトは期限切れです。もう一度お試しください。", "error": "問題が発生しました：{reason}",
        "cancelled": "お支払いはキャンセルされました", "timeout": "時間内にお支払いが確認されませんでした。",
        "frameTitle": "安全なカード入力欄", "simulated": "{method} のシミュレーション：実際の支払いは発生しません。",
        "scanQr": "{method} で QR コードを読み取ってお支払いください", "openSimulator": "{method} シミュレーターを開く",
        "waiting": "{method} での確認を待っています…", "redirectNote": "確認のため {method} に移動します。",
        "notAvailable": "このお支払いでは {method} を利用できません。",
        "threeDsTitle": "お支払いの認証", "threeDsText": "カード会社が {merchant} への {amount} のお支払いの確認を求めています。",
        "pass": "認証成功", "fail": "認証失敗", "close": "閉じる", "cancel": "キャンセル",
        "approve": "支払いを承認", "decline": "拒否", "walletDone": "完了しました。チェックアウトに戻れます。",
        "cardNumber": "カード番号", "expiry": "有効期限", "cvv": "セキュリティコード", "holder": "カード名義",
        "numberRequired": "カード番号を入力してください", "numberInvalid": "カード番号が正しくありません",
        "brandUnsupported": "{brand} はご利用いただけません", "expiryRequired": "有効期限を入力してください",
        "expiryInvalid": "MM/YY の形式で入力してください", "expiryPast": "このカードは有効期限切れです",
        "cvvRequired": "セキュリティコードを入力してください", "cvvInvalid": "セキュリティコードは {n} 桁です",
        "back": "{merchant} に戻る", "total": "合計", "hostedExpired": "この支払いページは期限切れです。",
        "alreadyPaid": "このお支払いは完了しています。", "testMode": "テスト環境：実際のお金は動きません。",
    },
    "ko-KR": {
        "pay": "{amount} 결제", "continueWith": "{method}(으)로 계속", "card": "카드",
        "savedCard": "{brand} 끝자리 {last4}", "expires": "만료 {date}", "methods": "결제 수단",
        "saveCard": "다음 결제를 위해 이 카드 저장", "cardSaved": "이 카드는 다음 결제를 위해 저장됩니다.",
        "paying": "결제 처리 중…", "paid": "결제 완료", "declined": "결제가 거절되었습니다: {reason}",
        "expired": "결제 세션이 만료되었습니다. 다시 시작해 주세요.", "error": "문제가 발생했습니다: {reason}",
        "cancelled": "결제가 취소되었습니다", "timeout": "결제가 제시간에 확인되지 않았습니다.",
        "frameTitle": "안전한 카드 입력란", "simulated": "{method} 시뮬레이션: 실제 결제는 이루어지지 않습니다.",
        "scanQr": "{method}(으)로 QR 코드를 스캔해 결제하세요", "openSimulator": "{method} 시뮬레이터 열기",
        "waiting": "{method}에서 확인을 기다리는 중…", "redirectNote": "확인을 위해 {method}(으)로 이동합니다.",
        "notAvailable": "이 결제에는 {method}을(를) 사용할 수 없습니다.",
        "threeDsTitle": "결제 인증", "threeDsText": "카드사에서 {merchant}에 대한 {amount} 결제 확인을 요청합니다.",
        "pass": "인증 성공", "fail": "인증 실패", "close": "닫기", "cancel": "취소",
        "approve": "결제 승인", "decline": "거절", "walletDone": "완료되었습니다. 결제 화면으로 돌아가세요.",
        "cardNumber": "카드 번호", "expiry": "유효기간", "cvv": "보안 코드", "holder": "카드 소유자 이름",
        "numberRequired": "카드 번호를 입력하세요", "numberInvalid": "유효하지 않은 카드 번호입니다",
        "brandUnsupported": "{brand}은(는) 사용할 수 없습니다", "expiryRequired": "유효기간을 입력하세요",
        "expiryInvalid": "MM/YY 형식으로 입력하세요", "expiryPast": "만료된 카드입니다",
        "cvvRequired": "보안 코드를 입력하세요", "cvvInvalid": "보안 코드는 {n}자리입니다",
        "back": "{merchant}(으)로 돌아가기", "total": "합계", "hostedExpired": "이 결제 페이지는 만료되었습니다.",
        "alreadyPaid": "이미 완료된 결제입니다.", "testMode": "테스트 환경: 실제 돈은 이동하지 않습니다.",
    },
    "th-TH": {
        "pay": "ชำระ {amount}", "continueWith": "ดำเนินการต่อด้วย {method}", "card": "บัตร",
        "savedCard": "{brand} ลงท้ายด้วย {last4}", "expires": "หมดอายุ {date}", "methods": "วิธีการชำระเงิน",
        "saveCard": "บันทึกบัตรนี้สำหรับการชำระครั้งต่อไป", "cardSaved": "บัตรนี้จะถูกบันทึกสำหรับการชำระครั้งต่อไป",
        "paying": "กำลังดำเนินการชำระเงิน…", "paid": "ชำระเงินสำเร็จ", "declined": "การชำระเงินถูกปฏิเสธ: {reason}",
        "expired": "การชำระเงินนี้หมดอายุแล้ว โปรดเริ่มใหม่", "error": "เกิดข้อผิดพลาด: {reason}",
        "cancelled": "ยกเลิกการชำระเงินแล้ว", "timeout": "ไม่ได้รับการยืนยันการชำระเงินภายในเวลาที่กำหนด",
        "frameTitle": "ช่องกรอกข้อมูลบัตรที่ปลอดภัย", "simulated": "{method} จำลอง: ไม่มีการชำระเงินจริง",
        "scanQr": "สแกนคิวอาร์โค้ดด้วย {method} เพื่อชำระเงิน", "openSimulator": "เปิดโปรแกรมจำลอง {method}",
        "waiting": "กำลังรอการยืนยันใน {method}…", "redirectNote": "ระบบจะพาคุณไปที่ {method} เพื่อยืนยัน",
        "notAvailable": "ไม่สามารถใช้ {method} กับการชำระเงินนี้",
        "threeDsTitle": "ยืนยันการชำระเงิน", "threeDsText": "ธนาคารขอให้คุณยืนยันการชำระ {amount} ให้ {merchant}",
        "pass": "ยืนยันผ่าน", "fail": "ยืนยันไม่ผ่าน", "close": "ปิด", "cancel": "ยกเลิก",
        "approve": "อนุมัติการชำระเงิน", "decline": "ปฏิเสธ", "walletDone": "เสร็จแล้ว คุณกลับไปที่หน้าชำระเงินได้",
        "cardNumber": "หมายเลขบัตร", "expiry": "วันหมดอายุ", "cvv": "รหัสความปลอดภัย", "holder": "ชื่อบนบัตร",
        "numberRequired": "กรอกหมายเลขบัตร", "numberInvalid": "หมายเลขบัตรไม่ถูกต้อง",
        "brandUnsupported": "ไม่รับ {brand}", "expiryRequired": "กรอกวันหมดอายุ",
        "expiryInvalid": "ใช้รูปแบบ MM/YY", "expiryPast": "บัตรนี้หมดอายุแล้ว",
        "cvvRequired": "กรอกรหัสความปลอดภัย", "cvvInvalid": "รหัสความปลอดภัยมี {n} หลัก",
        "back": "กลับไปที่ {merchant}", "total": "ยอดรวม", "hostedExpired": "หน้าชำระเงินนี้หมดอายุแล้ว",
        "alreadyPaid": "การชำระเงินนี้เสร็จสมบูรณ์แล้ว", "testMode": "สภาพแวดล้อมทดสอบ: ไม่มีเงินจริงเคลื่อนไหว",
    },
    "vi-VN": {
        "pay": "Thanh toán {amount}", "continueWith": "Tiếp tục với {method}", "card": "Thẻ",
        "savedCard": "{brand} kết thúc bằng {last4}", "expires": "Hết hạn {date}", "methods": "Phương thức thanh toán",
        "saveCard": "Lưu thẻ này cho lần thanh toán sau", "cardSaved": "Thẻ này sẽ được lưu cho lần thanh toán sau.",
        "paying": "Đang xử lý thanh toán…", "paid": "Thanh toán thành công", "declined": "Thanh toán bị từ chối: {reason}",
        "expired": "Phiên thanh toán đã hết hạn. Vui lòng bắt đầu lại.", "error": "Đã xảy ra lỗi: {reason}",
        "cancelled": "Đã hủy thanh toán", "timeout": "Thanh toán không được xác nhận kịp thời.",
        "frameTitle": "Ô nhập thẻ an toàn", "simulated": "{method} mô phỏng: không có thanh toán thật.",
        "scanQr": "Quét mã QR bằng {method} để thanh toán", "openSimulator": "Mở trình mô phỏng {method}",
        "waiting": "Đang chờ xác nhận trong {method}…", "redirectNote": "Bạn sẽ được chuyển đến {method} để xác nhận.",
        "notAvailable": "{method} không khả dụng cho khoản thanh toán này.",
        "threeDsTitle": "Xác thực thanh toán", "threeDsText": "Ngân hàng yêu cầu bạn xác nhận khoản thanh toán {amount} cho {merchant}.",
        "pass": "Xác thực thành công", "fail": "Xác thực thất bại", "close": "Đóng", "cancel": "Hủy",
        "approve": "Chấp thuận thanh toán", "decline": "Từ chối", "walletDone": "Hoàn tất. Bạn có thể quay lại trang thanh toán.",
        "cardNumber": "Số thẻ", "expiry": "Ngày hết hạn", "cvv": "Mã bảo mật", "holder": "Tên trên thẻ",
        "numberRequired": "Nhập số thẻ", "numberInvalid": "Số thẻ không hợp lệ",
        "brandUnsupported": "Không chấp nhận {brand}", "expiryRequired": "Nhập ngày hết hạn",
        "expiryInvalid": "Dùng định dạng MM/YY", "expiryPast": "Thẻ này đã hết hạn",
        "cvvRequired": "Nhập mã bảo mật", "cvvInvalid": "Mã bảo mật gồm {n} chữ số",
        "back": "Quay lại {merchant}", "total": "Tổng cộng", "hostedExpired": "Trang thanh toán này đã hết hạn.",
        "alreadyPaid": "Khoản thanh toán này đã hoàn tất.", "testMode": "Môi trường thử nghiệm: không có tiền thật.",
    },
    "id-ID": {
        "pay": "Bayar {amount}", "continueWith": "Lanjutkan dengan {method}", "card": "Kartu",
        "savedCard": "{brand} berakhiran {last4}", "expires": "Berlaku hingga {date}", "methods": "Metode pembayaran",
        "saveCard": "Simpan kartu ini untuk pembayaran berikutnya", "cardSaved": "Kartu ini akan disimpan untuk pembayaran berikutnya.",
        "paying": "Memproses pembayaran…", "paid": "Pembayaran berhasil", "declined": "Pembayaran ditolak: {reason}",
        "expired": "Sesi pembayaran telah kedaluwarsa. Silakan mulai lagi.", "error": "Terjadi kesalahan: {reason}",
        "cancelled": "Pembayaran dibatalkan", "timeout": "Pembayaran tidak dikonfirmasi tepat waktu.",
        "frameTitle": "Kolom kartu yang aman", "simulated": "Simulasi {method}: tidak ada pembayaran sungguhan.",
        "scanQr": "Pindai kode QR dengan {method} untuk membayar", "openSimulator": "Buka simulator {method}",
        "waiting": "Menunggu konfirmasi di {method}…", "redirectNote": "Anda akan diarahkan ke {method} untuk konfirmasi.",
        "notAvailable": "{method} tidak tersedia untuk pembayaran ini.",
        "threeDsTitle": "Verifikasi pembayaran", "threeDsText": "Bank Anda meminta konfirmasi pembayaran {amount} kepada {merchant}.",
        "pass": "Verifikasi berhasil", "fail": "Verifikasi gagal", "close": "Tutup", "cancel": "Batal",
        "approve": "Setujui pembayaran", "decline": "Tolak", "walletDone": "Selesai. Anda dapat kembali ke halaman pembayaran.",
        "cardNumber": "Nomor kartu", "expiry": "Tanggal kedaluwarsa", "cvv": "Kode keamanan", "holder": "Nama pada kartu",
        "numberRequired": "Masukkan nomor kartu", "numberInvalid": "Nomor kartu tidak valid",
        "brandUnsupported": "{brand} tidak diterima", "expiryRequired": "Masukkan tanggal kedaluwarsa",
        "expiryInvalid": "Gunakan format MM/YY", "expiryPast": "Kartu ini sudah kedaluwarsa",
        "cvvRequired": "Masukkan kode keamanan", "cvvInvalid": "Kode keamanan terdiri dari {n} digit",
        "back": "Kembali ke {merchant}", "total": "Total", "hostedExpired": "Halaman pembayaran ini telah kedaluwarsa.",
        "alreadyPaid": "Pembayaran ini sudah selesai.", "testMode": "Lingkungan uji: tidak ada uang sungguhan.",
    },
    "ms-MY": {
        "pay": "Bayar {amount}", "continueWith": "Teruskan dengan {method}", "card": "Kad",
        "savedCard": "{brand} berakhir dengan {last4}", "expires": "Tamat tempoh {date}", "methods": "Kaedah pembayaran",
        "saveCard": "Simpan kad ini untuk pembayaran akan datang", "cardSaved": "Kad ini akan disimpan untuk pembayaran akan datang.",
        "paying": "Memproses pembayaran…", "paid": "Pembayaran berjaya", "declined": "Pembayaran ditolak: {reason}",
        "expired": "Sesi pembayaran telah tamat tempoh. Sila mulakan semula.", "error": "Berlaku ralat: {reason}",
        "cancelled": "Pembayaran dibatalkan", "timeout": "Pembayaran tidak disahkan dalam masa.",
        "frameTitle": "Ruangan kad yang selamat", "simulated": "{method} simulasi: tiada pembayaran sebenar dibuat.",
        "scanQr": "Imbas kod QR dengan {method} untuk membayar", "openSimulator": "Buka simulator {method}",
        "waiting": "Menunggu pengesahan dalam {method}…", "redirectNote": "Anda akan dibawa ke {method} untuk pengesahan.",
        "notAvailable": "{method} tidak tersedia untuk pembayaran ini.",
        "threeDsTitle": "Sahkan pembayaran anda", "threeDsText": "Bank anda meminta pengesahan pembayaran {amount} kepada {merchant}.",
        "pass": "Pengesahan lulus", "fail": "Pengesahan gagal", "close": "Tutup", "cancel": "Batal",
        "approve": "Luluskan pembayaran", "decline": "Tolak", "walletDone": "Selesai. Anda boleh kembali ke halaman pembayaran.",
        "cardNumber": "Nombor kad", "expiry": "Tarikh tamat tempoh", "cvv": "Kod keselamatan", "holder": "Nama pada kad",
        "numberRequired": "Masukkan nombor kad", "numberInvalid": "Nombor kad tidak sah",
        "brandUnsupported": "{brand} tidak diterima", "expiryRequired": "Masukkan tarikh tamat tempoh",
        "expiryInvalid": "Gunakan format MM/YY", "expiryPast": "Kad ini telah tamat tempoh",
        "cvvRequired": "Masukkan kod keselamatan", "cvvInvalid": "Kod keselamatan mempunyai {n} digit",
        "back": "Kembali ke {merchant}", "total": "Jumlah", "hostedExpired": "Halaman pembayaran ini telah tamat tempoh.",
        "alreadyPaid": "Pembayaran ini sudah selesai.", "testMode": "Persekitaran ujian: tiada wang sebenar bergerak.",
    },
    "fil-PH": {
        "pay": "Magbayad ng {amount}", "continueWith": "Magpatuloy gamit ang {method}", "card": "Card",
        "savedCard": "{brand} na nagtatapos sa {last4}", "expires": "Mag-e-expire sa {date}", "methods": "Paraan ng pagbabayad",
        "saveCard": "I-save ang card na ito para sa susunod na bayad", "cardSaved": "Ise-save ang card na ito para sa susunod na bayad.",
        "paying": "Pinoproseso ang bayad…", "paid": "Matagumpay ang pagbabayad", "declined": "Tinanggihan ang bayad: {reason}",
        "expired": "Nag-expire na ang checkout na ito. Pakisimulang muli.", "error": "May nangyaring mali: {reason}",
        "cancelled": "Kinansela ang bayad", "timeout": "Hindi nakumpirma ang bayad sa takdang oras.",
        "frameTitle": "Ligtas na mga field ng card", "simulated": "Simulated na {method}: walang totoong bayad.",
        "scanQr": "I-scan ang QR code gamit ang {method} para magbayad", "openSimulator": "Buksan ang {method} simulator",
        "waiting": "Hinihintay ang kumpirmasyon sa {method}…", "redirectNote": "Dadalhin ka sa {method} para kumpirmahin.",
        "notAvailable": "Hindi available ang {method} para sa bayad na ito.",
        "threeDsTitle": "I-verify ang iyong bayad", "threeDsText": "Hinihiling ng iyong bangko na kumpirmahin ang bayad na {amount} sa {merchant}.",
        "pass": "Pumasa sa beripikasyon", "fail": "Bumagsak sa beripikasyon", "close": "Isara", "cancel": "Kanselahin",
        "approve": "Aprubahan ang bayad", "decline": "Tanggihan", "walletDone": "Tapos na. Maaari ka nang bumalik sa checkout.",
        "cardNumber": "Numero ng card", "expiry": "Petsa ng pag-expire", "cvv": "Security code", "holder": "Pangalan sa card",
        "numberRequired": "Ilagay ang numero ng card", "numberInvalid": "Hindi wasto ang numero ng card",
        "brandUnsupported": "Hindi tinatanggap ang {brand}", "expiryRequired": "Ilagay ang petsa ng pag-expire",
        "expiryInvalid": "Gamitin ang format na MM/YY", "expiryPast": "Expired na ang card na ito",
        "cvvRequired": "Ilagay ang security code", "cvvInvalid": "May {n} digit ang security code",
        "back": "Bumalik sa {merchant}", "total": "Kabuuan", "hostedExpired": "Nag-expire na ang pahinang ito.",
        "alreadyPaid": "Tapos na ang bayad na ito.", "testMode": "Test environment: walang totoong pera.",
    },
    "fr-FR": {
        "pay": "Payer {amount}", "continueWith": "Continuer avec {method}", "card": "Carte",
        "savedCard": "{brand} se terminant par {last4}", "expires": "Expire le {date}", "methods": "Moyen de paiement",
        "saveCard": "Enregistrer cette carte pour mes prochains paiements", "cardSaved": "Cette carte sera enregistrée pour vos prochains paiements.",
        "paying": "Paiement en cours…", "paid": "Paiement réussi", "declined": "Paiement refusé : {reason}",
        "expired": "Ce paiement a expiré. Veuillez recommencer.", "error": "Une erreur est survenue : {reason}",
        "cancelled": "Paiement annulé", "timeout": "Le paiement n’a pas été confirmé à temps.",
        "frameTitle": "Champs de carte sécurisés", "simulated": "{method} simulé : aucun paiement réel n’est effectué.",
        "scanQr": "Scannez le code QR avec {method} pour payer", "openSimulator": "Ouvrir le simulateur {method}",
        "waiting": "En attente de confirmation dans {method}…", "redirectNote": "Vous serez redirigé vers {method} pour confirmer.",
        "notAvailable": "{method} n’est pas disponible pour ce paiement.",
        "threeDsTitle": "Vérifiez votre paiement", "threeDsText": "Votre banque vous demande de confirmer un paiement de {amount} à {merchant}.",
        "pass": "Vérification réussie", "fail": "Vérification échouée", "close": "Fermer", "cancel": "Annuler",
        "approve": "Approuver le paiement", "decline": "Refuser", "walletDone": "Terminé. Vous pouvez revenir au paiement.",
        "cardNumber": "Numéro de carte", "expiry": "Date d’expiration", "cvv": "Code de sécurité", "holder": "Nom sur la carte",
        "numberRequired": "Saisissez le numéro de carte", "numberInvalid": "Ce numéro de carte n’est pas valide",
        "brandUnsupported": "{brand} n’est pas accepté ici", "expiryRequired": "Saisissez la date d’expiration",
        "expiryInvalid": "Utilisez le format MM/AA", "expiryPast": "Cette carte a expiré",
        "cvvRequired": "Saisissez le code de sécurité", "cvvInvalid": "Le code de sécurité compte {n} chiffres",
        "back": "Retour à {merchant}", "total": "Total", "hostedExpired": "Cette page de paiement a expiré.",
        "alreadyPaid": "Ce paiement est déjà effectué.", "testMode": "Environnement de test : aucun argent réel.",
    },
    "de-DE": {
        "pay": "{amount} bezahlen", "continueWith": "Weiter mit {method}", "card": "Karte",
        "savedCard": "{brand} mit Endziffern {last4}", "expires": "Gültig bis {date}", "methods": "Zahlungsart",
        "saveCard": "Diese Karte für künftige Zahlungen speichern", "cardSaved": "Diese Karte wird für künftige Zahlungen gespeichert.",
        "paying": "Zahlung wird verarbeitet…", "paid": "Zahlung erfolgreich", "declined": "Zahlung abgelehnt: {reason}",
        "expired": "Dieser Bezahlvorgang ist abgelaufen. Bitte beginnen Sie erneut.", "error": "Etwas ist schiefgelaufen: {reason}",
        "cancelled": "Zahlung abgebrochen", "timeout": "Die Zahlung wurde nicht rechtzeitig bestätigt.",
        "frameTitle": "Sichere Kartenfelder", "simulated": "Simuliertes {method}: Es wird nicht wirklich bezahlt.",
        "scanQr": "Scannen Sie den QR-Code mit {method}, um zu bezahlen", "openSimulator": "{method}-Simulator öffnen",
        "waiting": "Warte auf Bestätigung in {method}…", "redirectNote": "Sie werden zur Bestätigung zu {method} weitergeleitet.",
        "notAvailable": "{method} ist für diese Zahlung nicht verfügbar.",
        "threeDsTitle": "Zahlung bestätigen", "threeDsText": "Ihre Bank bittet Sie, eine Zahlung von {amount} an {merchant} zu bestätigen.",
        "pass": "Prüfung bestanden", "fail": "Prüfung fehlgeschlagen", "close": "Schließen", "cancel": "Abbrechen",
        "approve": "Zahlung genehmigen", "decline": "Ablehnen", "walletDone": "Fertig. Sie können zum Bezahlvorgang zurückkehren.",
        "cardNumber": "Kartennummer", "expiry": "Ablaufdatum", "cvv": "Sicherheitscode", "holder": "Name auf der Karte",
        "numberRequired": "Geben Sie die Kartennummer ein", "numberInvalid": "Diese Kartennummer ist ungültig",
        "brandUnsupported": "{brand} wird hier nicht akzeptiert", "expiryRequired": "Geben Sie das Ablaufdatum ein",
        "expiryInvalid": "Verwenden Sie das Format MM/JJ", "expiryPast": "Diese Karte ist abgelaufen",
        "cvvRequired": "Geben Sie den Sicherheitscode ein", "cvvInvalid": "Der Sicherheitscode hat {n} Ziffern",
        "back": "Zurück zu {merchant}", "total": "Gesamt", "hostedExpired": "Diese Zahlungsseite ist abgelaufen.",
        "alreadyPaid": "Diese Zahlung ist bereits abgeschlossen.", "testMode": "Testumgebung: Es fließt kein echtes Geld.",
    },
    "es-ES": {
        "pay": "Pagar {amount}", "continueWith": "Continuar con {method}", "card": "Tarjeta",
        "savedCard": "{brand} terminada en {last4}", "expires": "Caduca el {date}", "methods": "Método de pago",
        "saveCard": "Guardar esta tarjeta para futuros pagos", "cardSaved": "Esta tarjeta se guardará para futuros pagos.",
        "paying": "Procesando el pago…", "paid": "Pago realizado", "declined": "Pago rechazado: {reason}",
        "expired": "Este pago ha caducado. Vuelve a empezar.", "error": "Algo ha fallado: {reason}",
        "cancelled": "Pago cancelado", "timeout": "El pago no se confirmó a tiempo.",
        "frameTitle": "Campos de tarjeta seguros", "simulated": "{method} simulado: no se realiza ningún pago real.",
        "scanQr": "Escanea el código QR con {method} para pagar", "openSimulator": "Abrir el simulador de {method}",
        "waiting": "Esperando la confirmación en {method}…", "redirectNote": "Te llevaremos a {method} para confirmar.",
        "notAvailable": "{method} no está disponible para este pago.",
        "threeDsTitle": "Verifica tu pago", "threeDsText": "Tu banco te pide confirmar un pago de {amount} a {merchant}.",
        "pass": "Verificación correcta", "fail": "Verificación fallida", "close": "Cerrar", "cancel": "Cancelar",
        "approve": "Aprobar el pago", "decline": "Rechazar", "walletDone": "Listo. Puedes volver al pago.",
        "cardNumber": "Número de tarjeta", "expiry": "Fecha de caducidad", "cvv": "Código de seguridad", "holder": "Nombre en la tarjeta",
        "numberRequired": "Introduce el número de tarjeta", "numberInvalid": "Este número de tarjeta no es válido",
        "brandUnsupported": "No se acepta {brand}", "expiryRequired": "Introduce la fecha de caducidad",
        "expiryInvalid": "Usa el formato MM/AA", "expiryPast": "Esta tarjeta ha caducado",
        "cvvRequired": "Introduce el código de seguridad", "cvvInvalid": "El código de seguridad tiene {n} dígitos",
        "back": "Volver a {merchant}", "total": "Total", "hostedExpired": "Esta página de pago ha caducado.",
        "alreadyPaid": "Este pago ya se ha completado.", "testMode": "Entorno de pruebas: no se mueve dinero real.",
    },
    "ar": {
        "pay": "ادفع {amount}", "continueWith": "المتابعة باستخدام {method}", "card": "بطاقة",
        "savedCard": "{brand} المنتهية بـ {last4}", "expires": "تنتهي في {date}", "methods": "طريقة الدفع",
        "saveCard": "احفظ هذه البطاقة للدفعات القادمة", "cardSaved": "سيتم حفظ هذه البطاقة للدفعات القادمة.",
        "paying": "جارٍ معالجة الدفع…", "paid": "تم الدفع بنجاح", "declined": "تم رفض الدفع: {reason}",
        "expired": "انتهت صلاحية جلسة الدفع. يُرجى البدء من جديد.", "error": "حدث خطأ: {reason}",
        "cancelled": "تم إلغاء الدفع", "timeout": "لم يتم تأكيد الدفع في الوقت المحدد.",
        "frameTitle": "حقول البطاقة الآمنة", "simulated": "{method} تجريبي: لا تتم أي عملية دفع حقيقية.",
        "scanQr": "امسح رمز QR باستخدام {method} للدفع", "openSimulator": "افتح محاكي {method}",
        "waiting": "في انتظار التأكيد في {method}…", "redirectNote": "سيتم نقلك إلى {method} للتأكيد.",
        "notAvailable": "{method} غير متاح لهذه الدفعة.",
        "threeDsTitle": "تحقق من عملية الدفع", "threeDsText": "يطلب منك البنك تأكيد دفع {amount} إلى {merchant}.",
        "pass": "نجاح التحقق", "fail": "فشل التحقق", "close": "إغلاق", "cancel": "إلغاء",
        "approve": "الموافقة على الدفع", "decline": "رفض", "walletDone": "تم. يمكنك العودة إلى صفحة الدفع.",
        "cardNumber": "رقم البطاقة", "expiry": "تاريخ الانتهاء", "cvv": "رمز الأمان", "holder": "الاسم على البطاقة",
        "numberRequired": "أدخل رقم البطاقة", "numberInvalid": "رقم البطاقة غير صالح",
        "brandUnsupported": "{brand} غير مقبولة هنا", "expiryRequired": "أدخل تاريخ الانتهاء",
        "expiryInvalid": "استخدم الصيغة MM/YY", "expiryPast": "انتهت صلاحية هذه البطاقة",
        "cvvRequired": "أدخل رمز الأمان", "cvvInvalid": "يتكون رمز الأمان من {n} أرقام",
        "back": "العودة إلى {merchant}", "total": "الإجمالي", "hostedExpired": "انتهت صلاحية صفحة الدفع هذه.",
        "alreadyPaid": "تم إكمال هذه الدفعة بالفعل.", "testMode": "بيئة اختبار: لا تنتقل أموال حقيقية.",
    },
}

#: A bare language, or a script or region that says which table: the parent-language rule.
_BY_LANGUAGE = {locale.split("-")[0]: locale for locale in MESSAGES}
_BY_LANGUAGE.update({"tl": "fil-PH", "in": "id-ID", "zsm": "ms-MY"})
_TRADITIONAL = {"hant", "hk", "mo", "tw"}
_TAG = re.compile(r"^[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{1,8})*$")


def resolve(tag: Optional[str]) -> str:
    """The supported locale for a BCP 47 tag: exact, then the parent language, then en-US.

    ``fr-CH`` → ``fr-FR``; ``zh-HK``, ``zh-TW`` and ``zh-Hant-*`` → ``zh-HK`` (Traditional);
    other Chinese → ``zh-CN``; anything unknown or malformed → ``en-US``.
    """
    if not tag or not isinstance(tag, str) or not _TAG.match(tag.strip()):
        return DEFAULT
    parts = tag.strip().replace("_", "-").lower().split("-")
    for locale in MESSAGES:
        if locale.lower() == "-".join(parts):
            return locale
    language = parts[0]
    if language == "zh":
        # The script decides before the region: zh-Hans-HK is Simplified.
        if "hans" in parts[1:]:
            return "zh-CN"
        return "zh-HK" if _TRADITIONAL & set(parts[1:]) else "zh-CN"
    return _BY_LANGUAGE.get(language, DEFAULT)


def format_tag(tag: Optional[str], resolved: str) -> str:
    """The tag to format numbers and dates with: the shopper's own when well formed
    (so fr-CH gets Swiss separators while reading French text), else the resolved one."""
    if tag and isinstance(tag, str) and _TAG.match(tag.strip()):
        return tag.strip().replace("_", "-")
    return resolved


def messages(locale: str) -> dict[str, str]:
    table = dict(MESSAGES[DEFAULT])
    table.update(MESSAGES.get(locale, {}))
    return table


def direction(locale: str) -> str:
    return "rtl" if locale.split("-")[0] in RTL else "ltr"


def text(locale: str, key: str, **values: str) -> str:
    template = MESSAGES.get(locale, {}).get(key) or MESSAGES[DEFAULT].get(key, key)
    return re.sub(r"\{(\w+)\}", lambda m: str(values.get(m.group(1), "")), template)
