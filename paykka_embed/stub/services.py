"""The emulator's domain, assembled: one ledger and the services that work on it.

Each service receives what it depends on in its constructor, so the order below is the
dependency order, and nothing reaches a record except through the ledger a service was
given:

====================  ==========================================================  =====================
service               what it does                                                 depends on
====================  ==========================================================  =====================
``ledger``            records, lock, persistence, ids, due work                    clock, persistence
``merchants``         registration, app id → merchant, replayed nonces            ledger
``notices``           PAYMENT.* / REFUND.* / DISPUTE events to the sender           ledger, notifier
``sessions``          Create/Query Session, what a session offers, init             ledger
``vault``             tokens, recurring agreements, Apple Pay sessions             ledger
``payments``          attempts: cards, 3DS, one-click, wallets; expiry             ledger, sessions, vault, notices
``transactions``      Initiate / Query Transaction                                  ledger, sessions, vault, payments
``modifications``     capture, void, refund, refunds under review, Refund Query    ledger, transactions, notices
``disputes``          disputes opened and moved by the test controls               ledger, notices
====================  ==========================================================  =====================

The HTTP layers (:mod:`api`, :mod:`browser`, :mod:`pages`, :mod:`controls`) call these
services and nothing below them; :class:`gateway.Gateway` is a compatibility face over
the same objects for tests and the testing kit.
"""

from __future__ import annotations

from typing import Optional

from .clock import Clock
from .disputes import Disputes
from .ledger import Ledger
from .merchants import Merchants
from .modifications import Modifications
from .notices import Notices, Notifier
from .payments import Payments
from .persistence import Persistence
from .sessions import Sessions
from .transactions import Transactions
from .vault import Vault


class Services:
    """Every service of one emulator, wired together over one :class:`Ledger`.

    ``notify`` receives every notification (see :data:`notices.Notifier`); without it
    nothing is sent. Advancing ``clock`` does at once what it made due (expiries,
    settlements).
    """

    def __init__(self, clock: Clock, persistence: Optional[Persistence] = None,
                 notify: Optional[Notifier] = None) -> None:
        self.clock = clock
        self.ledger = Ledger(clock, persistence)
        self.merchants = Merchants(self.ledger)
        self.notices = Notices(self.ledger, notify)
        self.sessions = Sessions(self.ledger)
        self.vault = Vault(self.ledger)
        self.payments = Payments(self.ledger, self.sessions, self.vault, self.notices)
        self.transactions = Transactions(self.ledger, self.sessions, self.vault, self.payments)
        self.modifications = Modifications(self.ledger, self.transactions, self.notices)
        self.disputes = Disputes(self.ledger, self.notices)
        clock.on_advance(self.ledger.tick_after_advance)

    def tick(self) -> None:
        """Do what the clock made due (see :meth:`Ledger.tick`)."""
        self.ledger.tick()

    def reset(self) -> None:
        """Forget everything but the merchants (see :meth:`Ledger.reset`)."""
        self.ledger.reset()
