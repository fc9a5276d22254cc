"""The built wheel carries the browser code and the templates of both owners: installed from
the wheel into a fresh virtualenv (not an editable checkout), a merchant's app renders the
macros and serves the mount layer (and nothing of the emulator's), and the emulator serves
its SDK stand-in and renders its pages."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    subprocess.run([sys.executable, "-m", "build", "--wheel", "--outdir", str(out), str(ROOT)],
                   check=True, capture_output=True, text=True)
    (built,) = out.glob("paykka_embed-*.whl")
    return built


def test_wheel_contains_static_js_templates_and_demo(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    for required in (
        "paykka_embed/static/js/paykka/paykka-embed.js",
        "paykka_embed/static/js/paykka/paykka-embed.d.ts",
        "paykka_embed/static/js/emulator/sdk/20-checkout.js",
        "paykka_embed/static/js/emulator/frame/card-frame.js",
        "paykka_embed/static/css/emulator/sdk.css",
        "paykka_embed/templates/paykka/macros.html",
        "paykka_embed/templates/paykka/result.html",
        "paykka_embed/templates/emulator/card_frame.html",
        "paykka_embed/_demo/shop.py",
        "paykka_embed/_demo/__init__.py",
    ):
        assert required in names, f"{required} missing from {wheel.name}"
    assert not any(n.startswith("tests/") for n in names)


def test_installed_wheel_renders_a_macro(wheel: Path, tmp_path: Path) -> None:
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    python = venv / "bin" / "python"
    subprocess.run([str(python), "-m", "pip", "install", "--quiet", str(wheel)], check=True,
                   capture_output=True, text=True)
    script = textwrap.dedent("""
        import pathlib, paykka_embed
        from flask import Flask, render_template_string
        from paykka_embed import PayKKa, CheckoutSession
        app = Flask("merchant")
        app.config.update(SECRET_KEY="k", PAYKKA_DATABASE=":memory:")
        PayKKa(app)
        session = CheckoutSession(order_ref="A1", attempt=1, trans_id="A1-1", session_id="CS1",
            session_url="http://127.0.0.1:8480/hp/pay/CS1", mode="DROP_IN", client_key="ck_x",
            env="sandbox", checkout_base="http://127.0.0.1:8480", amount=800, currency="HKD",
            expire_time="2030-01-01T00:00:00+00:00")
        with app.test_request_context("/checkout"):
            html = render_template_string(
                '{% import "paykka/macros.html" as paykka %}{{ paykka.scripts(nonce="n0nce") }}'
                '{{ paykka.drop_in(session) }}', session=session)
            client = app.test_client()
            js = client.get("/paykka/static/js/paykka-embed.js")
            leaked = [client.get(p).status_code for p in ("/paykka/static/js/emulator/sdk/30-card.js",
                                                           "/paykka/static/css/emulator/sdk.css")]
        from paykka_embed.stub.app import create_app
        emulator = create_app().test_client()
        served = [emulator.get(p).status_code for p in ("/cp/card-checkout-ui.js", "/cp/frames/card.html",
                                                        "/cp/style.css")]
        print(pathlib.Path(paykka_embed.__file__).parent)
        print(js.status_code, len(js.data))
        print(*leaked, *served)
        print(html)
    """)
    result = subprocess.run([str(python), "-c", script], check=True, capture_output=True, text=True,
                            cwd=tmp_path)
    location, js_status, statuses, *html = result.stdout.splitlines()
    assert str(venv) in location, "the package must come from the fresh virtualenv, not the checkout"
    assert js_status.startswith("200 ") and int(js_status.split()[1]) > 1000
    assert statuses.split() == ["404", "404", "200", "200", "200"], statuses
    page = "\n".join(html)
    assert 'src="/paykka/static/js/paykka-embed.js"' in page
    assert 'nonce="n0nce"' in page
    assert "data-paykka-mount=" in page and '"sessionId": "CS1"' in page


def test_the_testing_extra_is_what_a_merchant_needs_and_no_more(wheel: Path) -> None:
    """A merchant installing ``paykka-embed[testing]`` gets pytest and Playwright, not this project's own
    tools (schemathesis, mypy, hypothesis, psycopg, build), which live in ``dev``."""
    with zipfile.ZipFile(wheel) as archive:
        metadata = archive.read(next(n for n in archive.namelist() if n.endswith(".dist-info/METADATA"))).decode()
    extras = {line.split(": ", 1)[1] for line in metadata.splitlines() if line.startswith("Provides-Extra: ")}
    assert {"testing", "dev"} <= extras
    def needs(extra: str) -> set[str]:
        return {line.split(": ", 1)[1].split(">")[0].split("[")[0].split(";")[0].strip()
                for line in metadata.splitlines()
                if line.startswith("Requires-Dist: ") and f"extra == '{extra}'" in line}
    assert needs("testing") == {"pytest", "playwright"}
    assert {"schemathesis", "mypy", "hypothesis", "psycopg", "build", "pytest-xdist"} <= needs("dev")
