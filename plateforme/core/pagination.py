"""Pagination of a select statement: two queries (count, page) whatever the page size."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select

from ..extensions import db


@dataclass
class Page:
    items: list
    number: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.pages


def paginate(stmt, page_arg, per_page: int = 20) -> Page:
    try:
        number = max(1, int(page_arg or 1))
    except (TypeError, ValueError):
        number = 1
    total = db.session.execute(select(func.count()).select_from(stmt.order_by(None).subquery())).scalar_one()
    number = min(number, max(1, -(-total // per_page)))
    items = list(db.session.execute(stmt.limit(per_page).offset((number - 1) * per_page)).scalars().unique())
    return Page(items=items, number=number, per_page=per_page, total=total)
