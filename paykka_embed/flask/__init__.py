"""The Flask side: the :class:`PayKKa` extension, its routes and result page, its signals, and the
stored-card and recurring helpers. The webhook pipeline itself is framework-free:
:mod:`paykka_embed.webhooks`."""

from ..webhooks import WebhookPipeline, construct_event
from .extension import PayKKa
from .orders import CheckoutSession, OrderInfo
from .signals import duplicate_payment, payment_mismatch, webhook_received
from .state import PayKKaState

__all__ = ["PayKKa", "PayKKaState", "CheckoutSession", "OrderInfo", "WebhookPipeline", "construct_event",
           "webhook_received", "payment_mismatch", "duplicate_payment"]
