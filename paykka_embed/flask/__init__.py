"""The Flask side: the :class:`PayKKa` extension, its routes, the webhook pipeline and the
stored-card and recurring helpers."""

from .extension import CheckoutSession, OrderInfo, PayKKa, PayKKaState
from .webhooks import WebhookPipeline, webhook_received

__all__ = ["PayKKa", "PayKKaState", "CheckoutSession", "OrderInfo", "WebhookPipeline", "webhook_received"]
