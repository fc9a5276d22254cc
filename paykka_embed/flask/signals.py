"""The extension's blinker signals (Flask's own signalling library), sent with the app as sender.

Connect with ``webhook_received.connect(fn, sender=app)``; each receiver gets keyword arguments.
"""

from __future__ import annotations

from blinker import Namespace

signals = Namespace()

#: Every new webhook event, once its handlers ran: ``event`` (a NotifyEvent), ``record`` (its
#: EventRecord) and ``verdict`` (a :class:`~paykka_embed.outcomes.Verdict`, or None for an event
#: about no payment attempt, such as a refund). Audit code hears of everything, stale events included.
webhook_received = signals.signal("paykka-webhook-received")
#: PayKKa reported another amount or currency than the attempt's (``attempt``, ``source``: query,
#: webhook or create_session): the order is not paid; someone must look. Sent once per attempt.
payment_mismatch = signals.signal("paykka-payment-mismatch")
#: A second attempt paid an order another had paid (``attempt``, ``paid_by``, ``reversal``: what was
#: done, or None when ``PAYKKA_DUPLICATE_PAYMENTS`` is ``record``). Sent once per attempt.
duplicate_payment = signals.signal("paykka-duplicate-payment")
