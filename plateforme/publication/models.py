"""The open-data bundle, as built by the task queue (bundle.py)."""
from __future__ import annotations

from sqlalchemy import LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from ..core.models import TimestampMixin
from ..extensions import db


class OpenDataBundle(TimestampMixin, db.Model):
    """One zip of every public dataset. Kept in the database so that every web server serves
    the same file (a local file would exist on the machine that built it only); the latest
    row is the one served, older ones are deleted by the build that replaces them."""

    __tablename__ = "open_data_bundle"

    id: Mapped[int] = mapped_column(primary_key=True)
    # SHA-256 of the members' names and bytes: a build that finds the same data stores nothing.
    data_version: Mapped[str] = mapped_column(String(64), nullable=False)
    content: Mapped[bytes] = mapped_column(LargeBinary, nullable=False)
    sha256: Mapped[str] = mapped_column(String(64), nullable=False)  # of the zip itself (the ETag)
