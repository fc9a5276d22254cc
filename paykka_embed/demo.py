"""Load the demo storefront, from a source checkout or an installed wheel alike."""

from __future__ import annotations

import importlib.util
import sys
from types import ModuleType

from .resources import resource_dir

MODULE_NAME = "paykka_embed_demo_shop"


def load_demo() -> ModuleType:
    if MODULE_NAME in sys.modules:
        return sys.modules[MODULE_NAME]
    path = resource_dir("demo") / "shop.py"
    spec = importlib.util.spec_from_file_location(MODULE_NAME, path)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot load the demo shop from {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[MODULE_NAME] = module
    spec.loader.exec_module(module)
    return module
