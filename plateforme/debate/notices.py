"""What a person is told after posting or reacting: notices carried by the redirect's
address (core/notices.py), so that these busy POSTs write no cookie."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from ..core.notices import notice

# A new person's first posts may wait for a moderator (the territory's rule, debate/moderation.py).
HELD = notice("contribution-en-attente", "success", _l(
    "Merci : votre contribution est enregistrée. Comme c'est l'une de vos premières sur ce territoire, "
    "elle sera publiée après validation par la modération ; d'ici là, vous êtes la seule personne à la voir."))
COMMENT_PUBLISHED = notice("commentaire-publie", "success", _l(
    "Merci : votre commentaire est publié. Vous suivez désormais cette consultation."))
REPLY_PUBLISHED = notice("reponse-publiee", "success", _l("Merci : votre réponse est publiée."))
PROPOSAL_PUBLISHED = notice("proposition-publiee", "success", _l(
    "Merci : votre proposition est publiée. La collectivité y répondra publiquement."))

# Endorsing a comment ("J'approuve") and supporting a proposal ("Je soutiens") are worded
# apart: the first says one agrees with a view, the second asks the authority to act.
ENDORSED = notice("soutien-commentaire", "success", _l("Votre approbation de ce commentaire est enregistrée."))
ALREADY_ENDORSED = notice("soutien-commentaire-deja", "info", _l("Vous approuvez déjà ce commentaire."))
ENDORSEMENT_WITHDRAWN = notice("soutien-commentaire-retire", "success",
                               _l("Votre approbation de ce commentaire est retirée."))
NOT_ENDORSED = notice("soutien-commentaire-absent", "info", _l("Vous n'approuviez pas ce commentaire."))
SUPPORTED = notice("soutien-proposition", "success", _l("Votre soutien à cette proposition est enregistré."))
ALREADY_SUPPORTED = notice("soutien-proposition-deja", "info", _l("Vous soutenez déjà cette proposition."))
SUPPORT_WITHDRAWN = notice("soutien-proposition-retire", "success",
                           _l("Votre soutien à cette proposition est retiré."))
NOT_SUPPORTED = notice("soutien-proposition-absent", "info", _l("Vous ne souteniez pas cette proposition."))
