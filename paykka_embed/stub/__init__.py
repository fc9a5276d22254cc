"""The local PayKKa gateway emulator: v3 API, browser SDK stand-in, webhooks, test controls."""

from .app import StubContext, create_app
from ..serving import BackgroundServer

__all__ = ["StubContext", "create_app", "BackgroundServer"]
