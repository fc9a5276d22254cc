"""The emulator's state as the dashboard reads it: merchants, and for one merchant its sessions,
orders, refunds, disputes, stored cards, recurring agreements, webhook deliveries and v3 calls,
plus what the clock will make happen next. Read only, as plain JSON.

This is a read model over the ledger, beside the services: it takes the ledger's lock to read
the records (as the services do) and never changes one, except that it first does the work the
clock made due (:meth:`Ledger.tick`), as every operation that reads state does, so a session past
its expiry reads ``EXPIRED`` and a review that is over reads settled.

Every row carries ``related``: the ids of the records it belongs with (an order: its session,
merchant's ``trans_id``, refunds, disputes, token, agreement and shopper reference), so "show
what belongs with GW…" is one filter over every list (:func:`related_to`). Lists are newest
first. Times are given as PayKKa writes them (``at``) and in milliseconds (``at_ms``), on the
emulator's clock; amounts in minor units and as text in major units (``8.00 HKD``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Iterable, Optional

from cryptography.hazmat.primitives.asymmetric import rsa

from .. import money, signing, wire
from ..errors import ValidationError
from .clock import Clock
from .errors import amount_text
from .faults import Faults
from .records import Agreement, Dispute, Merchant, Refund, Session, Token, Transaction
from .requestlog import RequestLog
from .services import Services
from .webhooks import WebhookSender

#: At most this many rows of each list in one overview (the newest).
LIST_LIMIT = 200
#: At most this many v3 calls in one overview (each carries its body).
REQUEST_LIMIT = 50
#: At most this many coming events.
SCHEDULE_LIMIT = 12


def _time(value: Optional[datetime]) -> Optional[str]:
    return wire.format_datetime(value) if value is not None else None


def _ms(value: Optional[datetime]) -> Optional[int]:
    return int(value.timestamp() * 1000) if value is not None else None


def _ids(*values: Optional[str], more: Iterable[Optional[str]] = ()) -> list[str]:
    """The non-empty ids among ``values`` and ``more``, once each, in order."""
    seen: list[str] = []
    for value in (*values, *more):
        if value and value not in seen:
            seen.append(value)
    return seen


def related_to(rows: list[dict[str, Any]], record_id: Optional[str]) -> list[dict[str, Any]]:
    """The rows that belong with ``record_id`` (every row when it is None or empty)."""
    if not record_id:
        return rows
    return [row for row in rows if record_id in row.get("related", ())]


class Overview:
    """Read-only views of one emulator (see the module docstring)."""

    def __init__(self, services: Services, sender: WebhookSender, requests: RequestLog, clock: Clock,
                 faults: Faults, platform_key: rsa.RSAPrivateKey) -> None:
        self.services = services
        self.ledger = services.ledger
        self.sender = sender
        self.requests = requests
        self.clock = clock
        self.faults = faults
        self.platform_key = platform_key

    # --- merchants -----------------------------------------------------------------------

    @staticmethod
    def merchant_json(merchant: Merchant) -> dict[str, Any]:
        """A merchant's ids, name, settings and key fingerprint (never the key itself)."""
        assert merchant.public_key is not None
        return {"merchant_id": merchant.merchant_id, "app_id": merchant.app_id, "name": merchant.name,
                "client_key": merchant.client_key, "notify_url": merchant.notify_url, "pci": merchant.pci,
                "public_key_fingerprint": signing.fingerprint(merchant.public_key)}

    def merchants(self) -> list[dict[str, Any]]:
        """Every merchant, the most recently registered first."""
        with self.ledger.lock:
            found = list(self.ledger.merchants.values())
        return [self.merchant_json(m) for m in reversed(found)]

    def chosen_merchant(self, merchant_id: Optional[str]) -> Optional[Merchant]:
        """The merchant ``merchant_id`` (or whose app id it is); without one, the most recently
        registered; None when there is no such merchant."""
        with self.ledger.lock:
            merchants = self.ledger.merchants
            if not merchant_id:
                return next(reversed(list(merchants.values())), None)
            found = merchants.get(merchant_id)
            if found is None and merchant_id in self.ledger.merchants_by_app:
                found = merchants.get(self.ledger.merchants_by_app[merchant_id])
            return found

    # --- the merchant's records ------------------------------------------------------------

    def _records(self, merchant_id: str) -> tuple[list[Session], list[Transaction], list[Refund], list[Dispute],
                                                  list[Token], list[Agreement]]:
        self.services.tick()
        ledger = self.ledger
        with ledger.lock:
            def mine(values: Iterable[Any]) -> list[Any]:
                return [r for r in values if r.merchant_id == merchant_id]

            return (mine(ledger.sessions.values()), mine(ledger.transactions.values()),
                    mine(ledger.refunds.values()), mine(ledger.disputes.values()),
                    mine(ledger.tokens.values()), mine(ledger.agreements.values()))

    def records(self, merchant_id: str) -> dict[str, list[dict[str, Any]]]:
        """The merchant's ``sessions``, ``transactions``, ``refunds``, ``disputes``, ``tokens`` and
        ``agreements`` as JSON rows, newest first, each with its ``related`` ids."""
        sessions, orders, refunds, disputes, tokens, agreements = self._records(merchant_id)
        by_order = {tx.order_id: tx for tx in orders}
        refunds_of: dict[str, list[str]] = {}
        refund_trans_ids: dict[str, list[str]] = {}
        for refund in refunds:
            refunds_of.setdefault(refund.ori_order_id, []).append(refund.refund_order_id)
            refund_trans_ids.setdefault(refund.ori_order_id, []).append(refund.refund_trans_id)
        disputes_of: dict[str, list[str]] = {}
        for dispute in disputes:
            disputes_of.setdefault(dispute.order_id, []).append(dispute.dispute_id)

        def session_of(order_id: str) -> Optional[str]:
            tx = by_order.get(order_id)
            return tx.session_id if tx is not None else None

        def newest(rows: list[Any], when: str) -> list[Any]:
            return sorted(rows, key=lambda r: getattr(r, when), reverse=True)

        with self.ledger.lock:
            return {
                "sessions": [self._session(s, refunds_of, disputes_of) for s in newest(sessions, "created_at")],
                "transactions": [self._transaction(t, refunds_of, disputes_of, refund_trans_ids.get(t.order_id, []))
                                 for t in newest(orders, "created_at")],
                "refunds": [self._refund(r, session_of(r.ori_order_id)) for r in newest(refunds, "created_at")],
                "disputes": [self._dispute(d, session_of(d.order_id)) for d in newest(disputes, "opened_at")],
                "tokens": [self._token(t, orders, agreements) for t in newest(tokens, "created_at")],
                "agreements": [self._agreement(a, orders) for a in newest(agreements, "created_at")],
            }

    def _session(self, session: Session, refunds_of: dict[str, list[str]],
                 disputes_of: dict[str, list[str]]) -> dict[str, Any]:
        req = session.request
        tx = self.services.sessions.latest_transaction(session)
        goods = [{"name": g.name, "quantity": g.quantity} for g in (req.goods or [])]
        children = [i for order_id in session.order_ids for i in (refunds_of.get(order_id, [])
                                                                    + disputes_of.get(order_id, []))]
        return {
            "session_id": session.session_id, "trans_id": session.trans_id, "session_mode": req.session_mode,
            "payment_type": req.payment_type, "capture_method": req.capture_method,
            "status": self.services.sessions.status(session),
            "amount": req.amount, "currency": req.currency, "amount_text": amount_text(req.amount, req.currency),
            "created_at": _time(session.created_at), "created_ms": _ms(session.created_at),
            "expire_time": _time(session.expire_time), "expire_ms": _ms(session.expire_time),
            "display_locale": req.display_locale, "display_merchant_name": req.display_merchant_name,
            "shopper_reference": session.shopper_reference, "goods": goods,
            "order_ids": list(session.order_ids), "latest_order_id": tx.order_id if tx else None,
            "notify_url": req.notify_url, "return_url": req.return_url,
            "related": _ids(session.session_id, session.trans_id, session.shopper_reference,
                            more=[*session.order_ids, *children]),
        }

    @staticmethod
    def _transaction(tx: Transaction, refunds_of: dict[str, list[str]], disputes_of: dict[str, list[str]],
                     refund_trans_ids: list[str]) -> dict[str, Any]:
        card = tx.card_info or {}
        balances = tx.balances()
        return {
            "order_id": tx.order_id, "trans_id": tx.trans_id, "session_id": tx.session_id, "status": tx.status,
            "amount": tx.amount, "currency": tx.currency, "amount_text": amount_text(tx.amount, tx.currency),
            "payment_method": tx.payment_method, "capture_method": tx.capture_method,
            "payment_type": tx.payment_type, "mit": tx.mit,
            "created_at": _time(tx.created_at), "created_ms": _ms(tx.created_at),
            "pay_finish_time": _time(tx.pay_finish_time),
            "error_code": tx.error_code, "error_description": tx.error_description,
            "card": {"brand": card.get("card_brand"), "bin": card.get("bin"), "last4": card.get("last4")}
            if card else None,
            "balances": balances,
            "balances_text": {name: amount_text(value, tx.currency) for name, value in balances.items()},
            "reviewing_amount": tx.reviewing_amount,
            "reviewing_amount_text": amount_text(tx.reviewing_amount, tx.currency),
            "token": tx.token, "recurring_agreement_id": tx.recurring_agreement_id,
            "shopper_reference": tx.shopper_reference,
            "refund_ids": list(refunds_of.get(tx.order_id, [])), "dispute_ids": list(disputes_of.get(tx.order_id, [])),
            "related": _ids(tx.order_id, tx.trans_id, tx.session_id, tx.token, tx.recurring_agreement_id,
                            tx.shopper_reference, more=[*refunds_of.get(tx.order_id, []), *refund_trans_ids,
                                                        *disputes_of.get(tx.order_id, [])]),
        }

    @staticmethod
    def _refund(refund: Refund, session_id: Optional[str]) -> dict[str, Any]:
        return {
            "refund_order_id": refund.refund_order_id, "refund_trans_id": refund.refund_trans_id,
            "ori_order_id": refund.ori_order_id, "session_id": session_id, "status": refund.status,
            "amount": refund.amount, "currency": refund.currency,
            "amount_text": amount_text(refund.amount, refund.currency), "reason": refund.reason,
            "created_at": _time(refund.created_at), "created_ms": _ms(refund.created_at),
            "finish_time": _time(refund.finish_time), "finish_ms": _ms(refund.finish_time),
            "review_until": _time(refund.review_until), "review_until_ms": _ms(refund.review_until),
            "error_code": refund.error_code, "error_description": refund.error_description,
            "related": _ids(refund.refund_order_id, refund.refund_trans_id, refund.ori_order_id, session_id),
        }

    @staticmethod
    def _dispute(dispute: Dispute, session_id: Optional[str]) -> dict[str, Any]:
        return {
            "dispute_id": dispute.dispute_id, "order_id": dispute.order_id, "session_id": session_id,
            "stage": dispute.stage, "amount": dispute.amount, "currency": dispute.currency,
            "amount_text": amount_text(dispute.amount, dispute.currency), "reason_code": dispute.reason_code,
            "reason_code_description": dispute.reason_code_description, "arn": dispute.arn,
            "opened_at": _time(dispute.opened_at), "opened_ms": _ms(dispute.opened_at),
            "due_time": _time(dispute.due_time), "due_ms": _ms(dispute.due_time),
            "history": [{"dispute_stage": h["dispute_stage"], "at": _time(h["at"])} for h in dispute.history],
            "related": _ids(dispute.dispute_id, dispute.order_id, session_id),
        }

    @staticmethod
    def _token(token: Token, orders: list[Transaction], agreements: list[Agreement]) -> dict[str, Any]:
        used = [tx for tx in orders if tx.token == token.token]
        agreement_ids = [a.recurring_agreement_id for a in agreements if a.token == token.token]
        return {
            "token": token.token, "shopper_reference": token.shopper_reference, "usage": token.usage,
            "brand": token.brand, "bin": token.bin, "last4": token.last4,
            "exp_month": token.exp_month, "exp_year": token.exp_year,
            "created_at": _time(token.created_at), "created_ms": _ms(token.created_at),
            "active": token.active, "removed_at": _time(token.removed_at), "removed_ms": _ms(token.removed_at),
            "order_ids": [tx.order_id for tx in used], "agreement_ids": agreement_ids,
            "related": _ids(token.token, token.shopper_reference,
                            more=[*(tx.order_id for tx in used), *(tx.session_id for tx in used), *agreement_ids]),
        }

    @staticmethod
    def _agreement(agreement: Agreement, orders: list[Transaction]) -> dict[str, Any]:
        used = [tx for tx in orders if tx.recurring_agreement_id == agreement.recurring_agreement_id]
        return {
            "recurring_agreement_id": agreement.recurring_agreement_id,
            "shopper_reference": agreement.shopper_reference, "token": agreement.token,
            "first_order_id": agreement.first_order_id,
            "created_at": _time(agreement.created_at), "created_ms": _ms(agreement.created_at),
            "active": agreement.active, "canceled_at": _time(agreement.canceled_at),
            "canceled_ms": _ms(agreement.canceled_at),
            "order_ids": [tx.order_id for tx in used],
            "related": _ids(agreement.recurring_agreement_id, agreement.token, agreement.first_order_id,
                            agreement.shopper_reference,
                            more=[*(tx.order_id for tx in used), *(tx.session_id for tx in used)]),
        }

    # --- webhooks and v3 calls -------------------------------------------------------------

    def webhooks(self, merchant: Merchant) -> list[dict[str, Any]]:
        """The merchant's webhook deliveries (by the event's merchant, else the app id), newest first,
        each with its ``related`` ids (order, session, refund, dispute, trans_id)."""
        rows = []
        for delivery in reversed(self.sender.log()):
            event = delivery["event"] if isinstance(delivery["event"], dict) else {}
            owner = event.get("merchant_id")
            if (str(owner) if owner is not None else None) != merchant.merchant_id and not (
                    owner is None and delivery["app_id"] == merchant.app_id):
                continue
            delivery["merchant_id"] = merchant.merchant_id
            delivery["related"] = _ids(*(str(event[k]) for k in ("order_id", "session_id", "refund_order_id",
                                                                  "dispute_id", "trans_id", "ori_order_id",
                                                                  "token", "recurring_agreement_id")
                                         if event.get(k) is not None))
            rows.append(delivery)
        return rows

    def requests_for(self, merchant: Optional[Merchant], *, verdict: Optional[str] = None,
                     limit: Optional[int] = None) -> list[dict[str, Any]]:
        """The v3 calls, newest first: the merchant's and those whose app id named no merchant (every
        call when ``merchant`` is None); ``verdict`` ``accepted``, ``refused`` or ``ignored`` (accepted
        or not, with names set aside)."""
        rows = []
        for entry in self.requests.entries():
            if merchant is not None and entry["merchant_id"] not in (merchant.merchant_id, None):
                continue
            if verdict == "ignored" and not entry["ignored_fields"]:
                continue
            if verdict in ("accepted", "refused") and entry["verdict"] != verdict:
                continue
            rows.append(entry)
            if limit is not None and len(rows) >= limit:
                break
        return rows

    # --- the clock -------------------------------------------------------------------------

    def clock_json(self) -> dict[str, Any]:
        """The clock's settings (not "now": the dashboard computes it, so an unchanged state reads the same)."""
        return {"offset_seconds": self.clock.offset_seconds,
                "signature_skew_seconds": self.clock.signature_skew_seconds}

    def schedule(self, merchant: Optional[Merchant]) -> list[dict[str, Any]]:
        """What the clock will make happen next, soonest first: sessions that expire (and the pending
        attempts that fail with them), refunds whose review ends, webhook attempts that fall due.
        Only the merchant's, when one is given. Each: ``kind``, ``id``, ``at``, ``at_ms``, ``what``."""
        self.services.tick()
        now = self.clock.now()
        coming: list[dict[str, Any]] = []
        ledger = self.ledger
        with ledger.lock:
            for session in ledger.sessions.values():
                if merchant is not None and session.merchant_id != merchant.merchant_id:
                    continue
                if session.expire_time <= now or self.services.sessions.status(session) != "PROCESSING":
                    continue
                tx = self.services.sessions.latest_transaction(session)
                amount = amount_text(session.request.amount, session.request.currency)
                if tx is not None and tx.status == "PROCESSING":
                    coming.append(self._event("attempt_fails", tx.order_id, session.expire_time,
                                              f"{tx.payment_method} attempt {tx.order_id} ({amount}) ends FAILURE "
                                              f"(5008) as session {session.session_id} expires", session.session_id))
                else:
                    coming.append(self._event("session_expires", session.session_id, session.expire_time,
                                              f"session {session.session_id} ({session.trans_id}, {amount}) expires "
                                              "unpaid", session.session_id))
            for refund in ledger.refunds.values():
                if merchant is not None and refund.merchant_id != merchant.merchant_id:
                    continue
                if refund.status == "REVIEWING" and refund.review_until is not None:
                    coming.append(self._event("refund_settles", refund.refund_order_id, refund.review_until,
                                              f"refund {refund.refund_order_id} of "
                                              f"{amount_text(refund.amount, refund.currency)} leaves REVIEWING and "
                                              "succeeds (REFUND.SUCCESS)", refund.ori_order_id))
        for delivery in (self.webhooks(merchant) if merchant is not None else reversed(self.sender.log())):
            if delivery["state"] != "pending" or delivery["next_attempt_ms"] is None:
                continue
            made = sum(1 for a in delivery["attempts"] if not a["manual"])
            at = datetime.fromtimestamp(delivery["next_attempt_ms"] / 1000, tz=now.tzinfo)
            coming.append(self._event("webhook_attempt", str(delivery["id"]), at,
                                      f"webhook #{delivery['id']} {delivery['notify_type']}: attempt {made + 1} of "
                                      f"{made + delivery['attempts_left']}", None))
        coming.sort(key=lambda e: (e["at_ms"], e["id"]))
        return coming[:SCHEDULE_LIMIT]

    @staticmethod
    def _event(kind: str, record_id: str, at: datetime, what: str, parent: Optional[str]) -> dict[str, Any]:
        return {"kind": kind, "id": record_id, "at": _time(at), "at_ms": _ms(at), "what": what,
                "related": _ids(record_id, parent)}

    # --- everything at once ------------------------------------------------------------------

    def snapshot(self, merchant_id: Optional[str], related: Optional[str] = None,
                 verdict: Optional[str] = None) -> dict[str, Any]:
        """What the dashboard shows for ``merchant_id`` (the newest merchant when None): every list,
        filtered by ``related`` when given, the v3 calls of ``verdict`` (see :meth:`requests_for`),
        the clock's settings, the schedule and the faults. Holds nothing that changes by itself with
        time, so an unchanged emulator reads the same."""
        merchant = self.chosen_merchant(merchant_id)
        data: dict[str, Any] = {
            "merchant_id": merchant.merchant_id if merchant else None,
            "merchants": self.merchants(),
            "platform_key_fingerprint": signing.fingerprint(self.platform_key),
            "clock": self.clock_json(),
            "faults": self.faults.list(),
            "related": related or None,
        }
        lists: dict[str, list[dict[str, Any]]] = {name: [] for name in (
            "sessions", "transactions", "refunds", "disputes", "tokens", "agreements", "webhooks")}
        if merchant is not None:
            lists.update(self.records(merchant.merchant_id))
            lists["webhooks"] = self.webhooks(merchant)
        data["schedule"] = self.schedule(merchant)
        data["totals"] = {}
        for name, rows in lists.items():
            rows = related_to(rows, related)
            data["totals"][name] = len(rows)
            data[name] = rows[:LIST_LIMIT]
        data["requests"] = (self.requests_for(merchant, verdict=verdict, limit=REQUEST_LIMIT)
                            if merchant is not None else [])
        return data
