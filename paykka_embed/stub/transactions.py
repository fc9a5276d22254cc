"""Initiate Transaction (API-only payments) and Query Transaction.

Initiate takes exactly one source of payment: a stored ``token`` (one-click, or a
merchant-initiated recurring charge with ``mit: true`` and its
``recurring_agreement_id``), ``encrypted_card_no`` (the emulator's documented
``stub:`` + base64 form, see :mod:`cardcrypto`), plain ``card_no`` (only for a
merchant registered with ``pci: true``), or a wallet's ``token_data``.

The same ``trans_id`` with the same amount and currency returns the same order, so a
retried request never charges twice; with a different amount or currency it is
refused.

PayKKa's sources: Initiate Transaction and Query Transaction (notes §2.3, OAPI; the
subsequent-recurring example of the API-only page, APIONLY).
"""

from __future__ import annotations

from typing import Optional

from .. import wire
from . import methods
from .cardcrypto import stub_decrypt
from .cards import CVV_FAILURE
from .errors import (DECRYPT_FAILED, METHOD_NOT_SUPPORTED, PCI_REQUIRED, SHOPPER_REFERENCE_REQUIRED, StubError,
                     no_order, param_error)
from .ledger import Ledger
from .payments import CardFacts, Payments
from .records import Merchant, Token, Transaction
from .sessions import Sessions, check_currency, check_url
from .vault import Vault

API_METHODS = ("BANKCARD", "APPLE_PAY", "GOOGLE_PAY")


class Transactions:
    """Initiate Transaction (API-only payments) and Query Transaction."""

    def __init__(self, ledger: Ledger, sessions: Sessions, vault: Vault, payments: Payments) -> None:
        self.ledger = ledger
        self.sessions = sessions
        self.vault = vault
        self.payments = payments

    def initiate(self, merchant: Merchant, req: wire.InitiateTransactionRequest) -> Transaction:
        """Initiate Transaction: charge one source of payment, or return the order this
        ``trans_id`` already made (same amount and currency).

        Raises :class:`StubError`: ``010000`` naming the field (bad currency or URL, a
        ``trans_id`` used for another payment or by a session, the source and method that
        do not fit, recurring rules), ``210001`` (a method that needs a session),
        ``210002`` (storing a card without a shopper_reference), ``206017`` (plain card
        number from a merchant without PCI), ``206020`` (undecryptable field), and what
        :meth:`vault.Vault.usable_token` / ``usable_agreement`` and
        :meth:`payments.Payments.read_card` raise. A declined card is no error: the order
        answers FAILURE.
        """
        check_currency(req.currency)
        check_url(req.notify_url, "notify_url")
        check_url(req.return_url, "return_url")
        pay = req.payment
        method = methods.canonical(pay.payment_method)
        if method in methods.CARD_BRANDS:
            method = methods.BANKCARD
        if method not in API_METHODS:
            raise StubError(400, METHOD_NOT_SUPPORTED,
                            f"payment.payment_method: {pay.payment_method!r} is not supported by Initiate "
                            f"Transaction (one of {', '.join(API_METHODS)}; other wallets need a session)")
        key = (merchant.merchant_id, req.trans_id)
        ledger, payments = self.ledger, self.payments
        with ledger.lock:
            existing = ledger.orders_by_trans.get(key)
            if existing is not None:
                tx = ledger.transactions[existing]
                if (tx.amount, tx.currency) != (req.amount, req.currency):
                    raise param_error(f"trans_id: already used for an order of {tx.amount} {tx.currency}; "
                                      "use a new trans_id for a different payment")
                return tx
            if key in ledger.sessions_by_trans:
                raise param_error("trans_id: already used by a checkout session; use a new trans_id")
            store_usage = self._api_store_usage(req)
            if pay.token_data:
                if method == methods.BANKCARD:
                    raise param_error("payment.token_data: needs payment_method APPLE_PAY or GOOGLE_PAY")
                tx = self._api_order(merchant, req, method)
                payments.approve(tx)
                return tx
            token: Optional[Token] = None
            if pay.token:
                token = self.vault.usable_token(merchant.merchant_id, pay.token, pay.shopper_reference)
                facts = self._token_facts(req, token)
            else:
                facts = self._card_facts(merchant, pay)
            if method != methods.BANKCARD:
                raise param_error(f"payment.token_data: is required for payment_method {method}")
            tx = self._api_order(merchant, req, method)
            if token is not None:
                tx.token = token.token
                tx.recurring_agreement_id = req.recurring_agreement_id if req.mit else None
            # A merchant-initiated charge has no shopper to challenge (3DS exemption).
            payments.charge_card(tx, facts, store_usage=None if token else store_usage, challenge=not req.mit)
            return tx

    def _api_store_usage(self, req: wire.InitiateTransactionRequest) -> Optional[wire.TokenUsage]:
        pay = req.payment
        if req.mit or pay.token:
            return None
        if req.payment_type == "RECURRING":
            if pay.store_payment_method is False:
                raise param_error("payment.store_payment_method: must be true for the first RECURRING payment")
            if pay.token_usage == "CARD_ON_FILE":
                raise param_error("payment.token_usage: must be SUBSCRIPTION for a RECURRING payment")
            usage: Optional[wire.TokenUsage] = "SUBSCRIPTION"
        elif pay.store_payment_method:
            if pay.token_usage == "SUBSCRIPTION":
                raise param_error("payment.token_usage: SUBSCRIPTION needs payment_type RECURRING")
            usage = pay.token_usage or "CARD_ON_FILE"
        else:
            return None
        if not pay.shopper_reference:
            raise StubError(400, SHOPPER_REFERENCE_REQUIRED,
                            "payment.shopper_reference: is required to store a card")
        return usage

    def _api_order(self, merchant: Merchant, req: wire.InitiateTransactionRequest, method: str) -> Transaction:
        return self.payments.open_order(
            merchant_id=merchant.merchant_id, trans_id=req.trans_id, session=None, amount=req.amount,
            currency=req.currency, capture_method=req.capture_method, authorisation_type=req.authorisation_type,
            payment_type=req.payment_type, payment_method=method, notify_url=req.notify_url,
            return_url=req.return_url, shopper_reference=req.payment.shopper_reference, mit=bool(req.mit),
        )

    def _token_facts(self, req: wire.InitiateTransactionRequest, token: Token) -> CardFacts:
        pay = req.payment
        if req.mit:
            if token.usage != "SUBSCRIPTION":
                raise param_error("payment.token: a CARD_ON_FILE token cannot be charged merchant-initiated; "
                                  "use the SUBSCRIPTION token of the recurring agreement")
            assert req.recurring_agreement_id is not None  # the wire model requires it with mit
            self.vault.usable_agreement(req.merchant_id, req.recurring_agreement_id, token)
        elif req.recurring_agreement_id:
            raise param_error("recurring_agreement_id: only for a merchant-initiated charge (mit: true)")
        declined = pay.cvv == "000"
        outcome = "decline" if declined else ("approve" if req.mit else token.profile)
        return CardFacts(brand=token.brand, bin=token.bin, last4=token.last4, exp_month=token.exp_month,
                         exp_year=token.exp_year, fingerprint=token.fingerprint, outcome=outcome,
                         error_code=CVV_FAILURE.error_code if declined else "0000",
                         error_description=CVV_FAILURE.error_description if declined else "request success")

    def _card_facts(self, merchant: Merchant, pay: wire.TransactionPayment) -> CardFacts:
        if pay.card_no:
            if not merchant.pci:
                raise StubError(403, PCI_REQUIRED, "payment.card_no: plain card numbers need a merchant "
                                "registered as PCI DSS compliant; send encrypted_card_no instead")
            number, month, year, cvv = pay.card_no, pay.exp_month, pay.exp_year, pay.cvv
        else:
            assert pay.encrypted_card_no is not None  # the wire model requires one source
            try:
                number = stub_decrypt(pay.encrypted_card_no, "payment.encrypted_card_no")
                month = (stub_decrypt(pay.encrypted_exp_month, "payment.encrypted_exp_month")
                         if pay.encrypted_exp_month else pay.exp_month)
                year = (stub_decrypt(pay.encrypted_exp_year, "payment.encrypted_exp_year")
                        if pay.encrypted_exp_year else pay.exp_year)
                cvv = stub_decrypt(pay.encrypted_cvv, "payment.encrypted_cvv") if pay.encrypted_cvv else pay.cvv
            except ValueError as exc:
                raise StubError(400, DECRYPT_FAILED, str(exc)) from None
        prefix = "payment.encrypted_" if pay.encrypted_card_no else "payment."
        if not month or not year:
            raise param_error(f"{prefix}exp_month: expiry month and year are required with a card number")
        if not (str(month).isdigit() and str(year).isdigit()):
            raise param_error(f"{prefix}exp_month: expiry month and year must be digits")
        return self.payments.read_card(merchant.merchant_id, number, int(month), int(year), cvv,
                              {"number": f"{prefix}card_no", "expiry": f"{prefix}exp_year",
                               "cvv": f"{prefix}cvv"})

    # --- query ---------------------------------------------------------------------------

    def find(self, merchant_id: str, req: wire.QueryTransactionRequest) -> Transaction:
        """Query Transaction's lookup: the order named by order_id, or the latest attempt of a
        session / trans_id. Raises :class:`StubError` 404 ``206024`` when the merchant has no
        such order or the ids given do not all name it."""
        ledger = self.ledger
        with ledger.lock:
            tx: Optional[Transaction] = None
            if req.order_id:
                tx = ledger.transactions.get(req.order_id)
            else:
                sid = req.session_id or ledger.sessions_by_trans.get((merchant_id, req.trans_id or ""))
                session = ledger.sessions.get(sid) if sid else None
                if session is not None and session.merchant_id == merchant_id:
                    tx = self.sessions.latest_transaction(session)
                elif req.trans_id and not req.session_id:
                    found = ledger.orders_by_trans.get((merchant_id, req.trans_id))
                    tx = ledger.transactions.get(found) if found else None
        if tx is None or tx.merchant_id != merchant_id:
            raise no_order()
        for name in ("trans_id", "session_id"):
            given = getattr(req, name)
            if given and getattr(tx, name) != given:
                raise no_order()
        return tx

    def order(self, merchant_id: str, order_id: str) -> Transaction:
        """The merchant's order ``order_id``. Raises :class:`StubError` 404 ``206024``."""
        tx = self.ledger.transaction(order_id)
        if tx is None or tx.merchant_id != merchant_id:
            raise no_order()
        return tx

