"""The v3 operations, listed once: one row per operation, read by everything that needs it.

Each :class:`Operation` says where the operation goes (``path``), what it sends
(``request_model``) and gets back in the envelope's ``data`` (``response_model``; ``None``
for Apple Pay's merchant session, which PayKKa returns as a bare string), whether
repeating it can never act twice (``retry_safe``), its title and a one-line summary,
and the public PayKKa page or merchant code the row rests on (``source``).

Three readers, so they cannot disagree:

- :mod:`paykka_embed.client` signs, sends and retries by it (``client.OPERATIONS``);
- the emulator's v3 routes (:mod:`paykka_embed.stub.api`) register one handler per row;
- the emulator's OpenAPI document (:mod:`paykka_embed.stub.openapi`) is generated from it.

Adding an operation is one row here, one method on the client and one handler in the
emulator; ``tests/test_operations.py`` proves the three agree.

This module imports :mod:`paykka_embed.wire` and nothing else of the package.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

from pydantic import BaseModel

from . import wire

#: Where the rows' facts come from (see ``shared/paykka-v3-notes.md`` §2.3).
_DOC = "https://docs.paykka.com/payments/apis/payments/openapi/transaction"
_VOID_DOC = "https://docs.paykka.com/payments/apis/payments/openapi/transaction/payments-void-opl_1.md"
_PLUGIN = "paykka-for-woocommerce classes/lib/Paykka/Request/PaykkaRequestHandler.php"
_HOSTED_DOC = "https://docs.paykka.com/payments/docs/transaction/web/hosted-web"


@dataclass(frozen=True)
class Operation:
    """One v3 operation: where it goes, what it sends and returns, and whether a retry is safe.

    ``name`` is the client's method name (``create_session``); ``title`` is the name
    PayKKa's docs use (``Create Session``), shown in the emulator's request log and as the
    OpenAPI summary; ``summary`` says in one line what the operation does. Every
    operation is a signed ``POST`` of a JSON object to ``path``.
    """

    name: str
    path: str
    request_model: type[wire.WireModel]
    response_model: Optional[type[BaseModel]]
    retry_safe: bool
    title: str
    summary: str
    source: str

    @property
    def operation_id(self) -> str:
        """The OpenAPI ``operationId``: the title in snake case (``create_session``)."""
        return self.title.lower().replace(" ", "_")


def _catalogue(*rows: Operation) -> dict[str, Operation]:
    names = [row.name for row in rows]
    paths = [row.path for row in rows]
    assert len(set(names)) == len(names) and len(set(paths)) == len(paths), "one row per name and per path"
    return {row.name: row for row in rows}


#: Every v3 operation, by client method name, in the order the docs list them.
OPERATIONS: dict[str, Operation] = _catalogue(
    Operation("create_session", wire.PATH_CREATE_SESSION, wire.CreateSessionRequest, wire.SessionData, True,
              "Create Session",
              "Open a checkout session for one payment; the same trans_id returns the same session.",
              _PLUGIN),
    Operation("query_session", wire.PATH_QUERY_SESSION, wire.QuerySessionRequest, wire.SessionData, True,
              "Query Session",
              "Read a session's status (and its paid order) by session_id or trans_id.",
              _HOSTED_DOC),
    Operation("initiate_transaction", wire.PATH_INITIATE, wire.InitiateTransactionRequest, wire.TransactionData,
              False, "Initiate Transaction",
              "Charge without a browser: a stored token, a recurring charge, an encrypted card or a wallet token.",
              _DOC),
    Operation("query_transaction", wire.PATH_QUERY, wire.QueryTransactionRequest, wire.TransactionData, True,
              "Query Transaction",
              "Read an order (status, balances, card) by order_id, or a session's or trans_id's latest attempt.",
              _DOC),
    Operation("capture", wire.PATH_CAPTURE, wire.CaptureRequest, wire.TransactionData, False,
              "Capture",
              "Capture an AUTHORIZED order, in full or in part (the rest of the authorisation is released).",
              _DOC),
    Operation("void", wire.PATH_VOID, wire.VoidRequest, wire.TransactionData, False,
              "Void",
              "Cancel an AUTHORIZED order before anything is captured.",
              _VOID_DOC),
    Operation("refund", wire.PATH_REFUND, wire.RefundRequest, wire.RefundData, True,
              "Refund",
              "Refund a captured order, in full or in part; the same refund_trans_id returns the same refund.",
              _PLUGIN),
    Operation("query_refund", wire.PATH_REFUND_QUERY, wire.RefundQueryRequest, wire.RefundData, True,
              "Refund Query",
              "Read a refund by refund_order_id or refund_trans_id.",
              _PLUGIN),
    Operation("remove_token", wire.PATH_TOKEN_REMOVE, wire.TokenRemoveRequest, wire.TokenRemoveData, False,
              "Remove a stored card",
              "Delete a shopper's stored card (token); later charges with it are refused.",
              _DOC),
    Operation("cancel_recurring", wire.PATH_RECURRING_CANCEL, wire.RecurringCancelRequest,
              wire.RecurringCancelData, False,
              "Cancel a recurring agreement",
              "End a recurring agreement; merchant-initiated charges on it are refused from then on.",
              _DOC),
    Operation("create_apple_pay_session", wire.PATH_APPLE_PAY_SESSION, wire.ApplePaySessionRequest, None, True,
              "Apple Pay merchant session",
              "Get the merchant session Apple Pay JS needs to show its sheet (JSON text).",
              _DOC),
)

#: The same rows, by path.
BY_PATH: dict[str, Operation] = {op.path: op for op in OPERATIONS.values()}

__all__ = ["Operation", "OPERATIONS", "BY_PATH"]
