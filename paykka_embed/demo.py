"""Load the demo storefront package, from a source checkout or an installed wheel alike.

The demo is shipped as data (``demo/`` at the top of the repository, ``_demo/`` inside
the wheel) rather than as an importable top-level package, so installing paykka-embed
does not claim a package name as generic as ``demo``.
"""

from __future__ import annotations

import importlib.util
import sys
from types import ModuleType

from .resources import resource_dir

MODULE_NAME = "paykka_embed_demo"


def load_demo() -> ModuleType:
    if MODULE_NAME in sys.modules:
        return sys.modules[MODULE_NAME]
    folder = resource_dir("demo")
    spec = importlib.util.spec_from_file_location(MODULE_NAME, folder / "__init__.py",
                                                  submodule_search_locations=[str(folder)])
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot load the demo shop from {folder}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[MODULE_NAME] = module
    try:
        spec.loader.exec_module(module)
    except BaseException:
        del sys.modules[MODULE_NAME]
        raise
    return module
