"""The Flask side: the :class:`PayKKa` extension, its routes and the webhook pipeline."""

from .extension import CheckoutSession, OrderInfo, PayKKa
from .webhooks import webhook_received

__all__ = ["PayKKa", "CheckoutSession", "OrderInfo", "webhook_received"]
