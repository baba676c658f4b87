"""Debate forms. The services check the same limits again; messages say what to do next."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired

from ..core.forms import Characters, RadioChoiceField, choices, reject_control_characters, strip_filter
from .labels import ANSWER_LABELS, STANCE_LABELS
from .services import (
    COMMENT_MAX, COMMENT_MIN, JUSTIFICATION_MAX, JUSTIFICATION_MIN, PROPOSAL_MAX, PROPOSAL_MIN, TITLE_MAX,
    TITLE_MIN, WITHDRAWAL_REASON_MAX,
)

MARKDOWN_HINT = _l("Mise en forme possible : **gras**, *italique*, listes commençant par « - », citations "
                   "commençant par « > », liens.")


class CommentForm(FlaskForm):
    stance = RadioChoiceField(
        _l("Votre position"), choices=choices((s.value, label) for s, label in STANCE_LABELS.items()),
        validators=[InputRequired(_l("Choisissez votre position : pour, contre, nuance ou question."))])
    body = TextAreaField(_l("Votre commentaire"), filters=[strip_filter], validators=[
        DataRequired(_l("Écrivez votre commentaire.")),
        Characters(min=COMMENT_MIN, max=COMMENT_MAX,
                   message=_l("Le commentaire doit compter entre %(min)s et %(max)s caractères.")),
    ], description=MARKDOWN_HINT, render_kw={"rows": 6})


class ProposalForm(FlaskForm):
    title = StringField(_l("Titre de la proposition"), filters=[strip_filter], validators=[
        DataRequired(_l("Donnez un titre à votre proposition.")),
        Characters(min=TITLE_MIN, max=TITLE_MAX, message=_l("Le titre doit compter entre %(min)s et %(max)s caractères.")),
        reject_control_characters,
    ], description=_l("Une phrase qui dit ce que vous proposez."))
    body = TextAreaField(_l("Votre proposition"), filters=[strip_filter], validators=[
        DataRequired(_l("Décrivez votre proposition.")),
        Characters(min=PROPOSAL_MIN, max=PROPOSAL_MAX,
                   message=_l("La proposition doit compter entre %(min)s et %(max)s caractères.")),
    ], description=MARKDOWN_HINT, render_kw={"rows": 8})


class AnswerForm(FlaskForm):
    status = RadioChoiceField(
        _l("Réponse de la collectivité"),
        choices=choices((s.value, label) for s, label in ANSWER_LABELS.items()),
        validators=[InputRequired(_l("Choisissez une réponse : à l'étude, retenue ou non retenue."))],
        description=_l("« Retenue » et « non retenue » sont définitives."))
    justification = TextAreaField(_l("Justification publique"), filters=[strip_filter], validators=[
        DataRequired(_l("Expliquez publiquement votre réponse.")),
        Characters(min=JUSTIFICATION_MIN, max=JUSTIFICATION_MAX,
                   message=_l("La justification doit compter entre %(min)s et %(max)s caractères.")),
    ], description=_l("Publiée sous la proposition et envoyée à son auteur ou autrice."), render_kw={"rows": 6})


class ConfirmForm(FlaskForm):
    """A confirmation button (withdrawal): only the CSRF token."""


class WithdrawProposalForm(FlaskForm):
    reason = StringField(_l("Raison du retrait (facultatif)"), filters=[strip_filter], validators=[
        Characters(max=WITHDRAWAL_REASON_MAX, message=_l("La raison doit compter au plus %(max)s caractères.")),
        reject_control_characters,
    ], description=_l("Publiée à la place de la proposition, par exemple : « déjà proposée par quelqu'un "
                      "d'autre » ou « réalisée depuis »."))
