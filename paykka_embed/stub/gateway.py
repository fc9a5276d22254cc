"""A compatibility face over the emulator's services, for tests and the testing kit.

The emulator's domain is the services of :mod:`services` (one ledger, then sessions,
vault, payments, transactions, modifications, disputes); its HTTP layers call them.
Tests and merchants' test suites reach the same state through
``StubHandle.context.gateway``: the ledger's tables (``gw.transactions[...]``,
``gw.sessions``, ``gw.refunds``, ``gw.lock``...) and the operations under their earlier
names (``gw.pay_with_card``, ``gw.complete_challenge``, ``gw.create_session``...). Each
name here is the service's own object or bound method, nothing more: behaviour lives in
the services.
"""

from __future__ import annotations

from .errors import StubError, param_error
from .methods import CARD_BRANDS
from .payments import CardFacts, PaymentResult
from .services import Services
from .sessions import DEFAULT_SESSION_LIFETIME, MAX_SESSION_LIFETIME


class Gateway:
    """The emulator's tables and operations under one object (see the module docstring).

    The tables are the ledger's own dictionaries (never replaced, only cleared by a
    reset), so holding one stays valid; change them only under ``gw.lock``.
    """

    def __init__(self, services: Services) -> None:
        self.services = services
        ledger = services.ledger
        self.clock = services.clock
        self.lock = ledger.lock
        # the ledger's tables
        self.merchants = ledger.merchants
        self.merchants_by_app = ledger.merchants_by_app
        self.sessions = ledger.sessions
        self.sessions_by_trans = ledger.sessions_by_trans
        self.transactions = ledger.transactions
        self.orders_by_trans = ledger.orders_by_trans
        self.refunds = ledger.refunds
        self.refunds_by_trans = ledger.refunds_by_trans
        self.tokens = ledger.tokens
        self.agreements = ledger.agreements
        self.disputes = ledger.disputes
        self.tick = ledger.tick
        self.reset = ledger.reset
        # merchants
        self.register_merchant = services.merchants.register
        self.merchant_for_app = services.merchants.for_app
        # sessions
        self.create_session = services.sessions.create
        self.find_session = services.sessions.find
        self.session_status = services.sessions.status
        self.session_data = services.sessions.data
        self.latest_transaction = services.sessions.latest_transaction
        self.open_for_browser = services.sessions.open_for_browser
        self.browser_init = services.sessions.browser_init
        self.payment_methods = services.sessions.payment_methods
        self.card_brands = services.sessions.card_brands
        self.stored_cards = services.sessions.stored_cards
        # payments
        self.pay_with_card = services.payments.pay_with_card
        self.pay_with_token = services.payments.pay_with_token
        self.complete_challenge = services.payments.complete_challenge
        self.start_wallet = services.payments.start_wallet
        self.complete_wallet = services.payments.complete_wallet
        self.payment_status = services.payments.payment_status
        self.wallet_order = services.payments.wallet_order
        # the v3 operations after the session
        self.initiate = services.transactions.initiate
        self.find_transaction = services.transactions.find
        self.capture = services.modifications.capture
        self.void = services.modifications.void
        self.refund = services.modifications.refund
        self.find_refund = services.modifications.find_refund
        self.remove_token = services.vault.remove_token
        self.cancel_recurring = services.vault.cancel_recurring
        # disputes
        self.open_dispute = services.disputes.open
        self.advance_dispute = services.disputes.advance


__all__ = ["Gateway", "StubError", "param_error", "PaymentResult", "CardFacts", "CARD_BRANDS",
           "DEFAULT_SESSION_LIFETIME", "MAX_SESSION_LIFETIME"]
