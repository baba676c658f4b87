"""Administration: the mail outbox (core/outbox_models.py), queued, sent and failed, with
the last error, so that an operator sees a mail server's trouble without reading logs."""
from __future__ import annotations

from flask import render_template, request
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from ..core.outbox_models import MailStatus, OutgoingMail
from ..core.pagination import paginate
from ..core.permissions import requires
from ..extensions import db
from . import admin_bp as bp

# ?etat= value → the statuses it lists, its label. "En attente" includes the rows a consumer
# is sending at this moment.
FILTERS = {
    "en-attente": ((MailStatus.QUEUED, MailStatus.SENDING), _l("En attente")),
    "envoyes": ((MailStatus.SENT,), _l("Envoyés")),
    "en-echec": ((MailStatus.FAILED,), _l("En échec")),
}
DEFAULT_FILTER = "en-attente"


def outbox_counts() -> dict[str, int]:
    """How many rows each filter lists (one GROUP BY on the indexed status)."""
    by_status = dict(db.session.execute(
        select(OutgoingMail.status, func.count()).group_by(OutgoingMail.status)).all())
    return {key: sum(by_status.get(status, 0) for status in statuses) for key, (statuses, _) in FILTERS.items()}


@bp.route("/courriels")
@requires("is_administrator")
def mail_outbox():
    chosen = request.args.get("etat") or DEFAULT_FILTER
    unknown = chosen not in FILTERS
    if unknown:
        chosen = DEFAULT_FILTER
    statuses = FILTERS[chosen][0]
    order = OutgoingMail.sent_at.desc() if chosen == "envoyes" else OutgoingMail.id.desc()
    stmt = select(OutgoingMail).where(OutgoingMail.status.in_(statuses)).order_by(order, OutgoingMail.id.desc())
    page = paginate(stmt, request.args.get("page"), per_page=50)
    return render_template("admin/mail_outbox.html", page=page, chosen=chosen, filters=FILTERS,
                           counts=outbox_counts(), unknown_filter=unknown), 400 if unknown else 200
