"""Apple Pay's domain verification: Apple fetches
``/.well-known/apple-developer-merchantid-domain-association`` from the shop's own domain
before it lets the Apple Pay button appear there.

``PAYKKA_APPLE_PAY_DOMAIN_ASSOCIATION`` holds the file PayKKa (or Apple) gives the
merchant: its text, or a path to it. The route sits at the site root, outside the
extension's prefix, because Apple asks for exactly that path. Without the setting the
path answers 404, as it would without the extension.
"""

from __future__ import annotations

from pathlib import Path

from flask import Flask, Response, abort, current_app

PATH = "/.well-known/apple-developer-merchantid-domain-association"


def association_text(value: object) -> str | None:
    """The file's content from the setting: a path to an existing file, or the text itself."""
    if value is None or value == "":
        return None
    if isinstance(value, Path):
        return value.read_text("utf-8")
    text = str(value)
    if "\n" not in text and len(text) < 4096:
        candidate = Path(text)
        try:
            if candidate.is_file():
                return candidate.read_text("utf-8")
        except OSError:
            pass
    return text


def domain_association() -> Response:
    """The view of the domain-association file (``PAYKKA_APPLE_PAY_DOMAIN_ASSOCIATION``: text or a path); 404 if unset."""
    text = association_text(current_app.config.get("PAYKKA_APPLE_PAY_DOMAIN_ASSOCIATION"))
    if text is None:
        abort(404)
    resp = Response(text, mimetype="text/plain")
    resp.headers["Cache-Control"] = "public, max-age=3600"
    return resp


def register(app: Flask) -> None:
    """Serve the Apple Pay domain-association file at its well-known path, when configured."""
    if PATH not in {rule.rule for rule in app.url_map.iter_rules()}:
        app.add_url_rule(PATH, endpoint="paykka_apple_pay_domain_association", view_func=domain_association)
