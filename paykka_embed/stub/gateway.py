"""The stub's payment rules: what PayKKa does with sessions, payments and queries.

Everything here is transport-free: the HTTP layers (:mod:`api` for merchants' servers,
:mod:`browser` for the checkout in the shopper's browser) turn requests into calls
and :class:`StubError` into PayKKa's envelope.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Callable, Optional

from cryptography.hazmat.primitives.asymmetric import rsa

from .. import money, signing, wire
from ..errors import ValidationError
from .cards import THREE_DS_FAILURE, detect_brand, luhn_ok, outcome_for
from .clock import Clock
from .records import IdFactory, Merchant, Session, Transaction

MAX_SESSION_LIFETIME = timedelta(hours=24)
DEFAULT_SESSION_LIFETIME = timedelta(hours=1)

CARD_BRANDS = ["VISA", "MASTERCARD", "AMEX", "JCB", "DISCOVER", "DINERS"]


class StubError(Exception):
    """A refusal, as PayKKa would send it: HTTP status, ret_code, ret_msg."""

    def __init__(self, http_status: int, ret_code: str, ret_msg: str) -> None:
        super().__init__(f"{ret_code}: {ret_msg}")
        self.http_status = http_status
        self.ret_code = ret_code
        self.ret_msg = ret_msg


def param_error(message: str) -> StubError:
    return StubError(400, "010000", message)


@dataclass(frozen=True)
class PaymentResult:
    status: str
    order_id: str
    error_code: str
    error_description: str
    return_url: Optional[str]


class Gateway:
    """All the stub's state and the operations on it, behind one lock."""

    def __init__(self, clock: Clock, platform_key: rsa.RSAPrivateKey) -> None:
        self.clock = clock
        self.platform_key = platform_key
        self.ids = IdFactory()
        self.lock = threading.RLock()
        self.merchants: dict[str, Merchant] = {}
        self.sessions: dict[str, Session] = {}
        self.sessions_by_trans: dict[tuple[str, str], str] = {}
        self.transactions: dict[str, Transaction] = {}
        self.seen_nonces: dict[str, int] = {}
        #: Called with (merchant, url or None, event dict) for every notification to send.
        self.notify: Callable[[Merchant, Optional[str], dict[str, Any]], None] = lambda m, u, e: None

    # --- merchants -----------------------------------------------------------------------

    def register_merchant(self, public_key_pem: str, merchant_id: Optional[str] = None,
                          name: Optional[str] = None, notify_url: Optional[str] = None) -> Merchant:
        try:
            key = signing.load_public_key(public_key_pem)
        except ValueError as exc:
            raise param_error(f"public_key: {exc}") from None
        if merchant_id is not None and not (merchant_id.isascii() and merchant_id.isalnum()
                                            and 1 <= len(merchant_id) <= 32):
            raise param_error("merchant_id: must be 1 to 32 letters or digits")
        with self.lock:
            existing = self.merchants.get(merchant_id) if merchant_id else None
            merchant = Merchant(
                merchant_id=merchant_id or self.ids.merchant_id(),
                app_id=merchant_id or "",
                public_key=key,
                public_key_pem=signing.public_pem(key),
                client_key=existing.client_key if existing else self.ids.client_key(),
                name=name or (existing.name if existing else "Demo Merchant"),
                notify_url=notify_url or (existing.notify_url if existing else None),
            )
            merchant.app_id = merchant.merchant_id
            self.merchants[merchant.merchant_id] = merchant
            return merchant

    def merchant_for_app(self, app_id: Optional[str]) -> Merchant:
        with self.lock:
            merchant = self.merchants.get(app_id or "")
        if merchant is None:
            raise StubError(401, "206005", "merchant does not exist")
        return merchant

    def remember_nonce(self, nonce: str, timestamp_ms: int) -> bool:
        """False when ``nonce`` was already used inside the signature window (a replay)."""
        horizon = self.clock.now_ms() - signing.WINDOW_SECONDS * 1000 * 2
        with self.lock:
            if nonce in self.seen_nonces:
                return False
            if len(self.seen_nonces) > 50_000:
                self.seen_nonces = {n: t for n, t in self.seen_nonces.items() if t > horizon}
            self.seen_nonces[nonce] = timestamp_ms
            return True

    # --- sessions ------------------------------------------------------------------------

    def create_session(self, merchant: Merchant, req: wire.CreateSessionRequest) -> Session:
        if req.merchant_id != merchant.merchant_id:
            raise param_error("merchant_id: does not match x-paykka-appid")
        try:
            money.check_currency(req.currency)
        except ValidationError as exc:
            raise param_error(str(exc)) from None
        now = self.clock.now()
        if req.expire_time is not None:
            if req.expire_time <= now:
                raise param_error("expire_time: must be in the future")
            if req.expire_time - now > MAX_SESSION_LIFETIME:
                raise param_error("expire_time: must be at most 24 hours ahead")
        with self.lock:
            existing_id = self.sessions_by_trans.get((merchant.merchant_id, req.trans_id))
            if existing_id:
                existing = self.sessions[existing_id]
                if (existing.request.amount, existing.request.currency) != (req.amount, req.currency):
                    raise param_error(
                        "trans_id: already used for a session with a different amount or currency; "
                        "use a new trans_id for a new payment attempt"
                    )
                return existing
            session = Session(
                session_id=self.ids.new("CS", now),
                merchant_id=merchant.merchant_id,
                request=req,
                created_at=now,
                expire_time=req.expire_time or (now + DEFAULT_SESSION_LIFETIME),
                client_key=merchant.client_key,
            )
            self.sessions[session.session_id] = session
            self.sessions_by_trans[(merchant.merchant_id, req.trans_id)] = session.session_id
            return session

    def find_session(self, merchant_id: str, session_id: Optional[str], trans_id: Optional[str]) -> Session:
        with self.lock:
            if session_id:
                session = self.sessions.get(session_id)
            else:
                found = self.sessions_by_trans.get((merchant_id, trans_id or ""))
                session = self.sessions.get(found) if found else None
        if session is None or session.merchant_id != merchant_id:
            raise StubError(400, "206011", "the session does not exist")
        if session_id and trans_id and session.trans_id != trans_id:
            raise param_error("trans_id: does not belong to session_id")
        return session

    def latest_transaction(self, session: Session) -> Optional[Transaction]:
        with self.lock:
            return self.transactions[session.order_ids[-1]] if session.order_ids else None

    def session_status(self, session: Session) -> str:
        tx = self.latest_transaction(session)
        if tx is not None and tx.status != "FAILURE":
            return tx.status
        if self.clock.now() >= session.expire_time:
            return "EXPIRED"
        return "PROCESSING"

    def session_data(self, session: Session, base_url: str) -> dict[str, Any]:
        tx = self.latest_transaction(session)
        req = session.request
        data = wire.SessionData(
            merchant_id=session.merchant_id,
            trans_id=session.trans_id,
            session_id=session.session_id,
            session_mode=req.session_mode,
            status=self.session_status(session),  # type: ignore[arg-type]
            amount=req.amount,
            currency=req.currency,
            expire_time=session.expire_time.astimezone(req.expire_time.tzinfo) if req.expire_time
            else session.expire_time,
            authorisation_type=req.authorisation_type,
            capture_method=req.capture_method,
            session_url=f"{base_url.rstrip('/')}/hp/pay/{session.session_id}",
            order_id=tx.order_id if tx and tx.status != "FAILURE" else None,
        )
        return data.to_wire()

    # --- transactions --------------------------------------------------------------------

    def find_transaction(self, merchant_id: str, req: wire.QueryTransactionRequest) -> Transaction:
        with self.lock:
            tx: Optional[Transaction] = None
            if req.order_id:
                tx = self.transactions.get(req.order_id)
            elif req.session_id or req.trans_id:
                sid = req.session_id or self.sessions_by_trans.get((merchant_id, req.trans_id or ""))
                session = self.sessions.get(sid) if sid else None
                if session is not None and session.order_ids:
                    tx = self.transactions[session.order_ids[-1]]
        if tx is None or tx.merchant_id != merchant_id:
            raise StubError(400, "206024", "the order doesn't exist")
        for name in ("trans_id", "session_id"):
            given = getattr(req, name)
            if given and getattr(tx, name) != given:
                raise StubError(400, "206024", "the order doesn't exist")
        return tx

    # --- the browser side ----------------------------------------------------------------

    def open_for_browser(self, session_id: str, client_key: str) -> Session:
        with self.lock:
            session = self.sessions.get(session_id)
        if session is None:
            raise StubError(404, "206011", "the session does not exist")
        merchant = self.merchants[session.merchant_id]
        if client_key != merchant.client_key:
            raise StubError(401, "1017", "client key does not belong to this session's merchant")
        return session

    def browser_init(self, session_id: str, client_key: str) -> Session:
        """The SDK's ``init()``: allowed once per session, as at PayKKa."""
        session = self.open_for_browser(session_id, client_key)
        with self.lock:
            if session.initialised:
                raise StubError(409, "SESSION_ALREADY_INITIALISED",
                                "this session was already initialised; create a new session for a new attempt")
            self.check_payable(session)
            session.initialised = True
        return session

    def check_payable(self, session: Session) -> None:
        status = self.session_status(session)
        if status == "EXPIRED":
            raise StubError(410, "SESSION_EXPIRED", "the session has expired")
        if status != "PROCESSING":
            raise StubError(409, "SESSION_COMPLETED", "the session is already paid")

    def payment_methods(self, session: Session) -> list[str]:
        allowed = session.request.allowed_payment_methods
        methods = ["BANKCARD"]
        if allowed:
            wanted = {m.upper() for m in allowed}
            if wanted & ({"BANKCARD", "CARD"} | set(CARD_BRANDS)):
                return methods
            return []
        return methods

    def pay_with_card(self, session_id: str, client_key: str, card: dict[str, Any]) -> PaymentResult:
        session = self.open_for_browser(session_id, client_key)
        number = str(card.get("number", "")).replace(" ", "")
        cvv = str(card.get("cvv", ""))
        exp_month = card.get("exp_month")
        exp_year = card.get("exp_year")
        if not luhn_ok(number):
            raise param_error("card.number: is not a valid card number")
        if not (isinstance(exp_month, int) and 1 <= exp_month <= 12 and isinstance(exp_year, int)):
            raise param_error("card.expiry: month must be 1 to 12 and year four digits")
        now = self.clock.now()
        if (exp_year, exp_month) < (now.year, now.month):
            raise param_error("card.expiry: the card has expired")
        if not (cvv.isdigit() and len(cvv) in (3, 4)):
            raise param_error("card.cvv: must be 3 or 4 digits")
        outcome = outcome_for(number, cvv)
        if outcome.outcome == "challenge":
            # Challenge flow arrives with the 3DS work; until then the challenge card fails closed.
            outcome = type(outcome)(number, outcome.brand, "decline", *THREE_DS_FAILURE)
        with self.lock:
            self.check_payable(session)
            req = session.request
            approved = outcome.outcome == "approve"
            manual = req.capture_method == "MANUAL"
            status = ("AUTHORIZED" if manual else "SUCCESS") if approved else "FAILURE"
            tx = Transaction(
                order_id=self.ids.new("GW", now),
                merchant_id=session.merchant_id,
                trans_id=session.trans_id,
                session_id=session.session_id,
                amount=req.amount,
                currency=req.currency,
                status=status,
                payment_method="BANKCARD",
                created_at=now,
                capture_method=req.capture_method,
                authorisation_type=req.authorisation_type,
                error_code=outcome.error_code if not approved else "0000",
                error_description=outcome.error_description if not approved else "request success",
                pay_finish_time=now,
                card_info={"bin": number[:6], "last4": number[-4:], "card_brand": detect_brand(number) or "UNKNOWN"},
                authed_amount=req.amount if approved else 0,
                captured_amount=req.amount if approved and not manual else 0,
                shopper_reference=req.payment.shopper_reference if req.payment else None,
            )
            self.transactions[tx.order_id] = tx
            session.order_ids.append(tx.order_id)
            merchant = self.merchants[session.merchant_id]
        notify_type = {"SUCCESS": "PAYMENT.SUCCESS", "AUTHORIZED": "PAYMENT.AUTHORIZATION"}.get(
            status, "PAYMENT.FAILURE")
        self.notify(merchant, req.notify_url, self.notify_event(notify_type, tx, session))
        return PaymentResult(status, tx.order_id, tx.error_code, tx.error_description, req.return_url)

    def notify_event(self, notify_type: str, tx: Transaction, session: Optional[Session]) -> dict[str, Any]:
        event = wire.NotifyEvent(
            notify_type=notify_type,  # type: ignore[arg-type]
            merchant_id=tx.merchant_id,
            trans_id=tx.trans_id,
            order_id=tx.order_id,
            status=tx.status,
            amount=tx.amount,
            currency=tx.currency,
            error_code=tx.error_code,
            error_description=tx.error_description,
            pay_finish_time=tx.pay_finish_time,
            token=tx.token,
            recurring_agreement_id=tx.recurring_agreement_id,
            shopper_reference=tx.shopper_reference,
            session_id=tx.session_id,
            expire_time=session.expire_time if session else None,
            payment=wire.PaymentInfo(payment_method=tx.payment_method),
            card_info=wire.CardInfo(**tx.card_info) if tx.card_info else None,
        )
        return event.to_wire()

    def reset(self) -> None:
        with self.lock:
            self.sessions.clear()
            self.sessions_by_trans.clear()
            self.transactions.clear()
            self.seen_nonces.clear()
