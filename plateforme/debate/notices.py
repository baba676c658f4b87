"""What a person is told after posting or reacting: flashed messages (`tell`)."""
from __future__ import annotations

from typing import NamedTuple

from flask import flash
from flask_babel import lazy_gettext as _l


class Notice(NamedTuple):
    category: str  # as for flash(): success, info
    message: object  # a lazy translation, translated when flashed


def tell(notice: Notice) -> None:
    """Flash `notice`, in the language of the request that earned it."""
    flash(str(notice.message), notice.category)


# A new person's first posts may wait for a moderator (the territory's rule, debate/moderation.py).
HELD = Notice("success", _l(
    "Merci : votre contribution est enregistrée. Comme c'est l'une de vos premières sur ce territoire, "
    "elle sera publiée après validation par la modération ; d'ici là, vous êtes la seule personne à la voir."))
COMMENT_PUBLISHED = Notice("success", _l(
    "Merci : votre commentaire est publié. Vous suivez désormais cette consultation."))
REPLY_PUBLISHED = Notice("success", _l("Merci : votre réponse est publiée."))
PROPOSAL_PUBLISHED = Notice("success", _l(
    "Merci : votre proposition est publiée. La collectivité y répondra publiquement."))

# Endorsing a comment ("J'approuve") and supporting a proposal ("Je soutiens") are worded
# apart: the first says one agrees with a view, the second asks the authority to act.
ENDORSED = Notice("success", _l("Votre approbation de ce commentaire est enregistrée."))
ALREADY_ENDORSED = Notice("info", _l("Vous approuvez déjà ce commentaire."))
ENDORSEMENT_WITHDRAWN = Notice("success",
                               _l("Votre approbation de ce commentaire est retirée."))
NOT_ENDORSED = Notice("info", _l("Vous n'approuviez pas ce commentaire."))
SUPPORTED = Notice("success", _l("Votre soutien à cette proposition est enregistré."))
ALREADY_SUPPORTED = Notice("info", _l("Vous soutenez déjà cette proposition."))
SUPPORT_WITHDRAWN = Notice("success",
                           _l("Votre soutien à cette proposition est retiré."))
NOT_SUPPORTED = Notice("info", _l("Vous ne souteniez pas cette proposition."))
