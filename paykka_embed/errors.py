"""The one exception family merchants catch: every failure is a :class:`PayKKaError`.

Subclasses say *why*, so code can decide what to do next without parsing messages:
retry (:class:`NetworkError`), fix a bug (:class:`ValidationError`,
:class:`APIError` with ``ret_code`` ``010000``), tell the shopper
(:class:`DeclinedError`), or raise an alarm (:class:`SignatureError`).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any


class PayKKaError(Exception):
    """Base of every error this package raises on purpose."""

    def __init__(self, message: str, *, ret_code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.ret_code = ret_code


class SignatureError(PayKKaError):
    """A signature was missing, wrong or outside the 5-minute window (ret_code 20600x)."""


class ValidationError(PayKKaError, ValueError):
    """Input refused before anything was sent or written. ``field`` names what was wrong."""

    def __init__(self, field: str, rule: str) -> None:
        super().__init__(f"{field}: {rule}", ret_code="010000")
        self.field = field
        self.rule = rule

    def __reduce__(self) -> Any:
        # The default rebuilds from ``args`` (one message), which this __init__ cannot take:
        # without this, pickling (process pools, task queues) and copy.copy() raise TypeError.
        return (type(self), (self.field, self.rule), self.__dict__)


class APIError(PayKKaError):
    """PayKKa answered with a ``ret_code`` other than ``000000``."""

    def __init__(self, ret_code: str, ret_msg: str, *, http_status: int | None = None) -> None:
        super().__init__(f"{ret_code}: {ret_msg}", ret_code=ret_code)
        self.ret_msg = ret_msg
        self.http_status = http_status

    def __reduce__(self) -> Any:
        return (type(self), (self.ret_code, self.ret_msg), self.__dict__)


class NetworkError(PayKKaError):
    """PayKKa could not be reached, timed out, or kept answering 429/5xx after the retries."""


class DeclinedError(PayKKaError):
    """The request was accepted but the payment failed: ``error_code`` is PayKKa's transaction code."""

    def __init__(self, error_code: str, error_description: str, *, data: Any = None) -> None:
        super().__init__(f"declined {error_code}: {error_description}")
        self.error_code = error_code
        self.error_description = error_description
        self.data = data

    def __reduce__(self) -> Any:
        return (type(self), (self.error_code, self.error_description), self.__dict__)


class UnknownOrderError(PayKKaError, LookupError):
    """The order resolver knows no order ``order_ref`` (still a ``LookupError``, as before). The
    Flask extension answers a merchant's own view that raises it with the app's 404."""

    def __init__(self, order_ref: str) -> None:
        super().__init__(f"order: no such order {order_ref!r}")
        self.order_ref = order_ref

    def __reduce__(self) -> Any:
        return (type(self), (self.order_ref,), self.__dict__)


class OrderStateError(PayKKaError):
    """No payment may start for this order now. ``order_ref`` names it; ``order_url`` (when the
    app knows one) is where the shopper can see it. The Flask extension turns these into a
    409 for ``POST {prefix}/sessions`` and into a page for a merchant's own views."""

    code = "order_state"

    def __init__(self, order_ref: str, message: str, *, order_url: str | None = None) -> None:
        super().__init__(message)
        self.order_ref = order_ref
        self.order_url = order_url

    def __reduce__(self) -> Any:
        return (type(self), (self.order_ref, self.message), self.__dict__)


class OrderPaidError(OrderStateError):
    """The order is already paid (by one of its attempts, as PayKKa confirmed): paying again would
    charge the shopper twice."""

    code = "already_paid"


class PaymentInProgressError(OrderStateError):
    """A payment for the order is still open at PayKKa (a 3DS challenge or a wallet waiting for the
    shopper), or needs review (PayKKa reported another amount): a new one could charge twice.
    ``ends_at``: when the open payment ends by itself at the latest (its session's expiry), if known."""

    code = "payment_in_progress"
    ends_at: "datetime | None" = None
