"""plateforme: debate the internationalisation of a territory, on evidence.

`create_app` lives in `plateforme.app` and is imported on first use, so that the pure
packages (`plateforme.stats`) import without Flask, e.g. in a simulation study.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .app import create_app

__all__ = ["create_app"]


def __getattr__(name: str) -> Any:
    if name == "create_app":
        from .app import create_app

        return create_app
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
