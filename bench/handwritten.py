"""The like-for-like comparator: what a careful merchant would write by hand, without the toolkit.

Two Flask views on the bench's merchant app (same process, same server), doing the same work as
the toolkit's with only Flask, Flask-WTF, httpx, cryptography and sqlite3:

- ``POST /hand/sessions`` — check the CSRF token, refuse an order already paid (one SELECT), build
  the Create Session body the toolkit sends, sign ``POST\\n{path}\\n{ts}\\n{nonce}\\n{body}``
  (SHA256withRSA, Base64, URL-encoded), post it over one kept-alive httpx client, verify the
  answer's signature with the platform key, check the session's amount and currency, record the
  attempt (SQLite, WAL, ``synchronous=FULL``, one commit), answer the mount options;
- ``POST /hand/webhook`` — verify the signature over the raw body and path (5-minute window),
  parse the JSON, and in one transaction refuse a replayed nonce, store the event deduplicated
  and move the attempt's status; answer PayKKa's ack.

The toolkit's overhead is then the ratio of the two, measured side by side in one run.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import sqlite3
import threading
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote

import httpx
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding
from flask import Blueprint, Response, jsonify, request
from flask_wtf.csrf import CSRFError, validate_csrf
from wtforms import ValidationError as WTFValidationError

SESSION_PATH = "/v3/payment/acq/session"
SCHEMA = """
CREATE TABLE IF NOT EXISTS hand_attempts (trans_id TEXT PRIMARY KEY, order_ref TEXT NOT NULL, session_id TEXT,
    amount INTEGER NOT NULL, currency TEXT NOT NULL, status TEXT NOT NULL, created_at TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS hand_attempts_order ON hand_attempts (order_ref);
CREATE TABLE IF NOT EXISTS hand_nonces (nonce TEXT PRIMARY KEY, timestamp_ms INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS hand_events (id INTEGER PRIMARY KEY AUTOINCREMENT, dedupe TEXT NOT NULL UNIQUE,
    trans_id TEXT NOT NULL, status TEXT NOT NULL, body TEXT NOT NULL, received_at TEXT NOT NULL);
"""


def create_blueprint(config: dict[str, Any], database: str) -> Blueprint:
    bp = Blueprint("hand", __name__, url_prefix="/hand")
    private_key = serialization.load_pem_private_key(config["PAYKKA_PRIVATE_KEY"].encode(), password=None)
    platform = serialization.load_pem_public_key(config["PAYKKA_PLATFORM_PUBLIC_KEY"].encode())
    merchant_id, app_id = config["PAYKKA_MERCHANT_ID"], config.get("PAYKKA_APP_ID") or config["PAYKKA_MERCHANT_ID"]
    http = httpx.Client(base_url=config["PAYKKA_API_BASE"], timeout=15)
    local = threading.local()
    Path(database).parent.mkdir(parents=True, exist_ok=True)
    with sqlite3.connect(database) as setup:
        setup.executescript(SCHEMA)

    def db() -> sqlite3.Connection:
        conn = getattr(local, "conn", None)
        if conn is None:
            conn = local.conn = sqlite3.connect(database, isolation_level=None, check_same_thread=False, timeout=10)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=FULL")
        return conn

    def sign(path: str, body: bytes) -> dict[str, str]:
        ts, nonce = str(int(time.time() * 1000)), str(secrets.randbelow(9 * 10**18) + 10**18)
        message = f"POST\n{path}\n{ts}\n{nonce}\n".encode() + body
        signature = base64.b64encode(private_key.sign(message, padding.PKCS1v15(), hashes.SHA256())).decode()
        return {"content-type": "application/json", "x-paykka-appid": app_id, "x-paykka-timestamp": ts,
                "x-paykka-nonce": nonce, "x-paykka-sign-alg": "SHA256_WITH_RSA",
                "x-paykka-sign": quote(signature, safe="")}

    def verified(path: str, headers: Any, body: bytes) -> bool:
        try:
            ts = int(headers["x-paykka-timestamp"])
            if abs(time.time() * 1000 - ts) > 300_000:
                return False
            signed = f"POST\n{path}\n{ts}\n{headers['x-paykka-nonce']}\n".encode() + body
            platform.verify(base64.b64decode(unquote(headers["x-paykka-sign"])), signed, padding.PKCS1v15(),
                            hashes.SHA256())
            return True
        except (KeyError, ValueError, InvalidSignature):
            return False

    @bp.post("/sessions")
    def sessions() -> Any:
        try:
            validate_csrf(request.headers.get("X-CSRFToken"))
        except (WTFValidationError, CSRFError):
            return jsonify({"error": "csrf"}), 400
        order = (request.get_json(silent=True) or {}).get("order")
        if not isinstance(order, str) or not order:
            return jsonify({"error": "order"}), 400
        if db().execute("SELECT 1 FROM hand_attempts WHERE order_ref = ? AND status = 'SUCCESS'", (order,)).fetchone():
            return jsonify({"error": "already_paid"}), 409
        trans_id = f"{order}-1"
        base = request.host_url.rstrip("/")
        expire = (datetime.now(timezone.utc) + timedelta(minutes=30)).replace(microsecond=0).isoformat()
        body = json.dumps({
            "merchant_id": merchant_id, "trans_id": trans_id, "session_mode": "DROP_IN", "payment_type": "PURCHASE",
            "authorisation_type": "FINAL_AUTH", "capture_method": "AUTOMATIC", "amount": 8800, "currency": "HKD",
            "expire_time": expire, "return_url": f"{base}/hand/return?trans_id={trans_id}",
            "cancel_url": f"{base}/hand/return?trans_id={trans_id}", "notify_url": f"{base}/hand/webhook",
            "display_merchant_name": "Bench shop",
            "goods": [{"id": "tea", "name": "Oolong tea", "quantity": 1, "price": 8800}],
        }, separators=(",", ":")).encode()
        resp = http.post(SESSION_PATH, content=body, headers=sign(SESSION_PATH, body))
        if not verified(SESSION_PATH, resp.headers, resp.content):
            return jsonify({"error": "gateway"}), 502
        answer = json.loads(resp.content)
        data = answer.get("data") or {}
        if answer.get("ret_code") != "000000" or (int(data.get("amount", 0)), data.get("currency")) != (8800, "HKD"):
            return jsonify({"error": "gateway"}), 502
        db().execute("INSERT INTO hand_attempts VALUES (?, ?, ?, ?, ?, 'PROCESSING', ?)",
                     (trans_id, order, data["session_id"], 8800, "HKD", datetime.now(timezone.utc).isoformat()))
        return jsonify({"sessionId": data["session_id"], "clientKey": config["PAYKKA_CLIENT_KEY"], "mode": "dropin",
                        "order": order, "sessionUrl": data.get("session_url")})

    @bp.post("/webhook")
    def webhook() -> Response:
        body = request.get_data(cache=False)
        if not verified(request.path, request.headers, body):
            return Response(b'{"ret_code":"206003","ret_msg":"Invalid signature"}', 401, mimetype="application/json")
        event = json.loads(body)
        dedupe = hashlib.sha256("\x1f".join(str(event.get(k, "")) for k in (
            "notify_type", "merchant_id", "trans_id", "order_id", "status", "amount")).encode()).hexdigest()
        conn = db()
        conn.execute("BEGIN IMMEDIATE")
        try:
            fresh = conn.execute("INSERT OR IGNORE INTO hand_nonces VALUES (?, ?)",
                                 (request.headers["x-paykka-nonce"], int(request.headers["x-paykka-timestamp"])))
            if fresh.rowcount != 1:
                conn.execute("ROLLBACK")
                return Response(b'{"ret_code":"206003","ret_msg":"Replayed request"}', 401,
                                mimetype="application/json")
            new = conn.execute("INSERT OR IGNORE INTO hand_events (dedupe, trans_id, status, body, received_at) "
                               "VALUES (?, ?, ?, ?, ?)", (dedupe, event["trans_id"], event["status"], body.decode(),
                                                          datetime.now(timezone.utc).isoformat())).rowcount == 1
            if new:
                conn.execute("UPDATE hand_attempts SET status = ? WHERE trans_id = ? AND status = 'PROCESSING'",
                             (event["status"], event["trans_id"]))
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        return Response(b'{"ret_code":"000000","ret_msg":"Success"}', mimetype="application/json")

    return bp
