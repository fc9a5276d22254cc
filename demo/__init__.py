"""The demo storefront "Tea & Clay": a small shop integrated with paykka-embed the way a
merchant would integrate it. ``create_app(config)`` builds it; ``paykka-embed demo`` runs it
beside the local PayKKa emulator."""

from .shop import create_app

__all__ = ["create_app"]
