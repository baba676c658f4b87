"""The consultations' part of a person's data export: what they follow."""
from __future__ import annotations

from sqlalchemy import select

from ..accounts.models import User
from ..accounts.services import personal_data_section
from ..extensions import db
from .models import Consultation, ConsultationFollow


@personal_data_section("followed_consultations")
def follows_data(user: User) -> list[dict]:
    rows = db.session.execute(
        select(ConsultationFollow.consultation_id, Consultation.title, ConsultationFollow.created_at)
        .join(Consultation, Consultation.id == ConsultationFollow.consultation_id)
        .where(ConsultationFollow.user_id == user.id).order_by(ConsultationFollow.id)).all()
    return [{"consultation_id": cid, "title": title, "since": at.isoformat()} for cid, title, at in rows]
