"""Assets grouped by owner: a merchant's app serves the mount layer and its declarations and
nothing else, and finds only the merchants' templates; the emulator serves every file of
its own and renders only its own pages."""

from __future__ import annotations

from pathlib import Path

import jinja2
import pytest
from flask import Flask, render_template

from paykka_embed import PayKKa
from paykka_embed.resources import (compact_script, emulator_asset, emulator_templates_dir, merchant_static_dir,
                                    merchant_templates_dir, static_dir, templates_dir)
from paykka_embed.stub.app import StubContext, create_app
from paykka_embed.testing import MerchantAccount, StubHandle

MERCHANT_FILES = {"paykka-embed.js", "paykka-embed.d.ts"}
MERCHANT_TEMPLATES = {"paykka/macros.html", "paykka/result.html"}

#: Where each emulator file is served (the SDK sources, as one bundle).
EMULATOR_URLS = {
    "js/emulator/frame/card-frame.js": "/cp/frames/card-frame.js",
    "js/emulator/frame/pages.js": "/cp/pages/pages.js",
    "js/emulator/frame/hosted.js": "/cp/pages/hosted.js",
    "css/emulator/sdk.css": "/cp/style.css",
    "css/emulator/frame.css": "/cp/frames/frame.css",
    "css/emulator/pages.css": "/cp/pages/pages.css",
    "css/emulator/dashboard.css": "/_stub/dashboard.css",
}
#: Folders whose scripts the emulator serves as one bundle each, and where.
EMULATOR_BUNDLES = {"js/emulator/sdk/": "/cp/card-checkout-ui.js", "js/emulator/dashboard/": "/_stub/dashboard.js"}
#: What only the emulator answers: its dashboard, the dashboard's data, its controls.
EMULATOR_ONLY_URLS = ["/_stub/dashboard", "/_stub/dashboard.js", "/_stub/dashboard.css", "/_stub/dashboard/merchants",
                      "/_stub/dashboard/webhooks", "/_stub/webhooks", "/_stub/requests", "/_stub/clock"]

#: Paths under which a merchant's app served the emulator's files before they were grouped.
OLD_PATHS = ["js/sdk/30-card.js", "js/sdk/00-core.js", "js/frame/card-frame.js", "js/frame/stub-pages.js",
             "js/frame/hosted.js", "css/sdk.css", "css/frame.css", "css/pages.css"]


def _files(root: Path) -> set[str]:
    return {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()}


@pytest.fixture
def merchant_app(tmp_path: Path) -> Flask:
    # root_path in an empty folder: the app's own template and static folders hold nothing,
    # so whatever it finds comes through the extension.
    app = Flask("merchant", root_path=str(tmp_path))
    app.config.update(SECRET_KEY="k", PAYKKA_DATABASE=":memory:")
    PayKKa(app)
    return app


@pytest.fixture
def emulator_app() -> Flask:
    return create_app(StubContext())


def test_every_file_belongs_to_one_owner() -> None:
    merchant = {f"js/paykka/{name}" for name in _files(merchant_static_dir())}
    emulator = {f for f in _files(static_dir()) if f.startswith(("js/emulator/", "css/emulator/"))}
    assert _files(static_dir()) == merchant | emulator
    assert {f"paykka/{name}" for name in _files(merchant_templates_dir())} == MERCHANT_TEMPLATES
    assert _files(templates_dir()) == MERCHANT_TEMPLATES | {f"emulator/{n}" for n in _files(emulator_templates_dir())}


def test_a_merchant_app_serves_the_mount_layer_and_its_declarations_only(merchant_app: Flask) -> None:
    client = merchant_app.test_client()
    assert _files(merchant_static_dir()) == MERCHANT_FILES
    for name in MERCHANT_FILES:
        assert client.get(f"/paykka/static/js/{name}").status_code == 200, name
    # Every other file, at the old paths and at any path the new layout could suggest.
    others = [f for f in _files(static_dir()) if not f.startswith("js/paykka/")] + OLD_PATHS
    for relative in others:
        for url in (f"/paykka/static/{relative}", f"/paykka/static/js/{relative}",
                    f"/paykka/static/js/{relative.removeprefix('js/')}", f"/paykka/static/js/../{relative}"):
            assert client.get(url).status_code == 404, url


def test_a_merchant_app_cannot_render_an_emulator_template(merchant_app: Flask) -> None:
    assert set(merchant_app.jinja_env.list_templates()) == MERCHANT_TEMPLATES
    with merchant_app.test_request_context("/"):
        for name in ("card_frame.html", "emulator/card_frame.html", "paykka_stub/card_frame.html",
                     "hosted.html", "emulator/hosted.html", "paykka/../emulator/hosted.html"):
            with pytest.raises(jinja2.TemplateNotFound):
                render_template(name)


def test_the_emulator_serves_every_file_of_its_own(emulator_app: Flask) -> None:
    client = emulator_app.test_client()
    emulator_files = {f for f in _files(static_dir()) if f.startswith(("js/emulator/", "css/emulator/"))}
    bundled = {f for f in emulator_files if f.startswith(tuple(EMULATOR_BUNDLES))}
    assert set(EMULATOR_URLS) == emulator_files - bundled
    for relative, url in EMULATOR_URLS.items():
        kind, _, rest = relative.partition("/emulator/")
        answer = client.get(url)
        assert answer.status_code == 200, url
        source = emulator_asset(kind, rest).read_text("utf-8")
        assert answer.get_data(as_text=True) == (compact_script(source) + "\n" if kind == "js" else source), url
    for folder, url in EMULATOR_BUNDLES.items():
        bundle = client.get(url).get_data(as_text=True)
        sources = sorted(f for f in bundled if f.startswith(folder))
        assert sources, folder
        for source in sources:
            # Each source is in its bundle (its comment lines left out): its first line of code is.
            first_code = next(line for line in (static_dir() / source).read_text().splitlines()
                              if line.strip() and not line.lstrip().startswith(("/*", "*", "//")))
            assert first_code in bundle, source
    assert client.get("/cp/frames/card.html").status_code == 200
    assert client.get("/").status_code == 200  # the dashboard


def test_a_merchant_app_answers_nothing_of_the_emulators_own(merchant_app: Flask) -> None:
    client = merchant_app.test_client()
    for url in [*EMULATOR_ONLY_URLS, *EMULATOR_BUNDLES.values()]:
        for prefix in ("", "/paykka", "/paykka/static"):
            assert client.get(prefix + url).status_code == 404, prefix + url
    assert client.get("/").status_code == 404  # the emulator's dashboard lives at the emulator's root only


def test_the_emulator_renders_only_its_own_templates(emulator_app: Flask) -> None:
    assert set(emulator_app.jinja_env.list_templates()) == _files(emulator_templates_dir())
    with emulator_app.test_request_context("/"):
        with pytest.raises(jinja2.TemplateNotFound):
            render_template("paykka/macros.html")


def test_scripts_are_served_without_comment_lines_and_nothing_else_changes() -> None:
    source = "\n".join([
        "/* A header",
        " * over lines. */",
        "var url = \"http://example.test//path\";  // a trailing comment stays",
        "",
        "  // a comment line",
        "  /** one line */",
        "  try { go(); } catch (e) { /* none */ }",
        "  /* opens",
        "     closes */ var after = 1;",
        "  var re = /a\\/\\/b/;",
    ])
    assert compact_script(source) == "\n".join([
        "var url = \"http://example.test//path\";  // a trailing comment stays",
        "  try { go(); } catch (e) { /* none */ }",
        " var after = 1;",
        "  var re = /a\\/\\/b/;",
    ])
    assert compact_script("  a();\n    b();", indentation=False) == "a();\nb();"


def _imports(module: str) -> set[str]:
    """The paykka_embed modules ``module`` imports (anywhere in it, functions included)."""
    import ast

    import paykka_embed

    root = Path(paykka_embed.__file__).parent
    path = root.joinpath(*module.split(".")[1:])
    path = path / "__init__.py" if path.is_dir() else path.with_suffix(".py")
    package = module if path.name == "__init__.py" else module.rsplit(".", 1)[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom):
            base = package
            for _ in range(node.level - 1):
                base = base.rsplit(".", 1)[0]
            target = (f"{base}.{node.module}" if node.module else base) if node.level else (node.module or "")
            names = [f"{target}.{alias.name}" for alias in node.names]
            found |= {n if root.joinpath(*n.split(".")[1:]).with_suffix(".py").exists()
                      or root.joinpath(*n.split(".")[1:]).is_dir() else target for n in names}
        elif isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
    return {name for name in found if name.startswith("paykka_embed")}


def test_the_catalogue_and_the_shopper_side_import_in_one_direction() -> None:
    assert _imports("paykka_embed.catalogue") == set(), "the catalogue is core: it imports no other module"
    stub = {"paykka_embed.stub.assets", "paykka_embed.stub.shopper", "paykka_embed.stub.browser",
            "paykka_embed.stub.pages", "paykka_embed.stub.icons", "paykka_embed.stub.methods"}
    for module in stub:
        assert not any(name.startswith("paykka_embed.flask") for name in _imports(module)), module
    for module in ("paykka_embed.flask.views", "paykka_embed.flask.templating", "paykka_embed.resources"):
        assert not any(name.startswith("paykka_embed.stub") for name in _imports(module)), module
    # No cycle among them: follow each module's imports and never come back to it.
    for start in stub:
        seen, todo = set(), [start]
        while todo:
            for name in _imports(todo.pop()) & stub:
                assert name != start, f"{start} imports itself back through {sorted(seen)}"
                if name not in seen:
                    seen.add(name)
                    todo.append(name)


def test_the_emulators_payment_pages_are_never_cached(paykka_stub: StubHandle, paykka_merchant: MerchantAccount) -> None:
    """Back to the hosted page after paying showed a live form from the browser's cache."""
    import httpx

    with paykka_merchant.client() as client:
        session = client.create_session({"trans_id": "NC-1", "amount": 800, "currency": "HKD", "session_mode": "HOSTED",
                                         "return_url": "https://shop.example/back"})
    page = httpx.get(session.session_url, timeout=10)
    assert page.status_code == 200 and page.headers["cache-control"] == "no-store"
