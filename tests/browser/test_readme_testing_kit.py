"""The README's "Testing your checkout" example works as written: it is copied out of the
README into a merchant's own test folder, next to a small shop of the merchant's, and run
by pytest with nothing but the plugin the package registers (the ``pytest11`` entry point)."""

from __future__ import annotations

import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]

MYSHOP = textwrap.dedent('''
    from decimal import Decimal

    from flask import Flask, render_template_string
    from paykka_embed import OrderInfo, PayKKa


    def create_app(config):
        app = Flask("myshop")
        app.config.update(PAYKKA_SUCCESS_URL="/orders/{order}", PAYKKA_FAILURE_URL="/orders/{order}")
        app.config.update(config)
        paykka = PayKKa(app)

        @paykka.order_resolver
        def order(ref):
            return OrderInfo(amount=Decimal("8.00"), currency="HKD")

        @app.get("/pay/<ref>")
        def pay(ref):
            return render_template_string('<!doctype html><title>Pay</title>{% import "paykka/macros.html" as paykka %}'
                                          '{{ paykka.scripts() }}{{ paykka.drop_in(session) }}',
                                          session=paykka.create_session(ref))

        @app.get("/orders/<ref>")
        def order_page(ref):
            return "<!doctype html><title>Thanks</title><p>Order " + ref + " paid.</p>"

        @app.get("/favicon.ico")
        def favicon():
            return "", 204

        return app
''')


def readme_example() -> str:
    text = (ROOT / "README.md").read_text("utf-8")
    match = re.search(r"<!-- testing-your-checkout -->\s*```python\n(.*?)```", text, re.S)
    assert match, "README lost its 'Testing your checkout' example"
    return match.group(1)


def test_readme_example_runs_as_a_merchants_test(tmp_path: Path) -> None:
    example = readme_example()
    assert len([line for line in example.splitlines() if line.strip()]) < 20
    (tmp_path / "myshop.py").write_text(MYSHOP, "utf-8")
    (tmp_path / "test_checkout.py").write_text(example, "utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:xdist", "--rootdir",
         str(tmp_path), str(tmp_path / "test_checkout.py")],
        cwd=tmp_path, capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 passed" in result.stdout
