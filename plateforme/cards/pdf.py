"""The debate kit as a PDF, for meetings in person: the card's published version, its
figures with their sources, the questions with ruled lines for notes, and where it comes
from (version, date, licence, address of the card).

Made with fpdf2 (pure Python). The text is French, with characters beyond latin-1
(’ « » œ … —), so a free Unicode font is embedded: DejaVu Sans, in static/fonts with its
licence (see the README there).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from flask_babel import get_locale, gettext as _
from fpdf import FPDF
from fpdf.enums import XPos, YPos

from ..core.i18n import format_day
from ..core.i18n import licence_words, quantity
from ..core.text import french_spacing
from .labels import POLITICAL_STATUS_HINTS, POLITICAL_STATUS_LABELS
from .models import IssueCard, IssueCardVersion

FONT_DIR = Path(__file__).resolve().parent.parent / "static" / "fonts"
FONT = "DejaVuSans"
NOTE_LINES = 4  # ruled lines under each question
LINE = 5.5      # text line height, in mm


@dataclass
class KitLinks:
    """Addresses printed in the kit (absolute URLs, built by the view)."""

    card: str
    findings: dict[int, str] = field(default_factory=dict)


class _KitPDF(FPDF):
    footer_text = ""

    def multi_cell(self, w, h=None, text="", *args, **kwargs):
        # A French kit keeps French typography in what people wrote too (a card's « … ? »): the
        # space before « : ; ? ! » and inside « » becomes non-breaking, which fpdf2 never wraps at.
        if str(get_locale()).startswith("fr"):
            text = french_spacing(text)
        return super().multi_cell(w, h, text, *args, **kwargs)

    def footer(self):
        self.set_y(-14)
        self.set_font(FONT, "", 8)
        self.multi_cell(0, 4, self.footer_text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.cell(0, 4, _("Page %(n)s sur %(total)s", n=self.page_no(), total="{nb}"), align="R")


def _heading(pdf: FPDF, text: str) -> None:
    pdf.ln(3)
    pdf.set_font(FONT, "B", 13)
    pdf.multi_cell(0, 7, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font(FONT, "", 10.5)


def _paragraphs(pdf: FPDF, text: str, empty: str) -> None:
    pdf.set_font(FONT, "", 10.5)
    pdf.multi_cell(0, LINE, text or empty, new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def _bullet(pdf: FPDF, text: str) -> None:
    pdf.set_x(pdf.l_margin + 4)
    pdf.multi_cell(0, LINE, "• " + text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def _value_text(value) -> str:
    indicator = value.indicator
    figure = _("%(indicator)s : %(figure)s — %(territory)s, %(year)s", indicator=indicator.name,
               figure=quantity(value.value, indicator.unit), territory=value.territory.name, year=value.period)
    source = _("Source : %(source)s ; produit par %(organisation)s ; %(licence)s",
               source=value.source or _("non précisée"), organisation=indicator.organisation.name,
               licence=licence_words(indicator.licence))
    return f"{figure}\n{source}"


def _finding_text(finding, url: str) -> str:
    return _("%(title)s — %(organisation)s, %(period)s ; %(licence)s ; %(url)s",
             title=finding.title, organisation=finding.organisation.name, period=finding.period_label,
             licence=licence_words(finding.licence), url=url)


def build_kit_pdf(card: IssueCard, version: IssueCardVersion, links: KitLinks, licence: str) -> bytes:
    """The PDF bytes of the debate kit for `version` of `card`."""
    pdf = _KitPDF(format="A4")
    pdf.add_font(FONT, "", str(FONT_DIR / "DejaVuSans.ttf"))
    pdf.add_font(FONT, "B", str(FONT_DIR / "DejaVuSans-Bold.ttf"))
    pdf.set_title(version.title)
    pdf.set_lang("fr")
    pdf.set_creator("plateforme")
    pdf.set_margins(18, 16, 18)
    pdf.set_auto_page_break(True, margin=20)
    published = format_day(version.published_at, "long") if version.published_at else ""
    pdf.footer_text = _("Fiche enjeu, version %(n)s publiée le %(date)s · %(licence)s · %(url)s",
                        n=version.number, date=published, licence=licence, url=links.card)
    pdf.alias_nb_pages("{nb}")
    pdf.add_page()

    pdf.set_font(FONT, "", 9)
    pdf.multi_cell(0, 4.5, _("Kit de débat — fiche enjeu"), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font(FONT, "B", 18)
    pdf.multi_cell(0, 9, version.title, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font(FONT, "", 10.5)
    pdf.multi_cell(0, LINE, _("Territoire : %(territory)s", territory=card.territory.name),
                   new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.multi_cell(0, LINE, _("Place dans le débat local : %(status)s. %(hint)s",
                              status=POLITICAL_STATUS_LABELS[version.political_status],
                              hint=POLITICAL_STATUS_HINTS[version.political_status]),
                   new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    _heading(pdf, _("En bref"))
    _paragraphs(pdf, version.summary, "")
    _heading(pdf, _("Ce qui est en jeu"))
    _paragraphs(pdf, version.stakes, _("Non précisé."))
    _heading(pdf, _("Ce que l'on sait"))
    _paragraphs(pdf, version.known, "" if (version.findings or version.indicator_values) else _("Non précisé."))
    if version.findings:
        pdf.ln(1)
        pdf.set_font(FONT, "B", 10.5)
        pdf.multi_cell(0, LINE, _("Constats de l'observatoire"), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.set_font(FONT, "", 10)
        for finding in version.findings:
            _bullet(pdf, _finding_text(finding, links.findings.get(finding.id, "")))
    if version.indicator_values:
        pdf.ln(1)
        pdf.set_font(FONT, "B", 10.5)
        pdf.multi_cell(0, LINE, _("Chiffres"), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.set_font(FONT, "", 10)
        for value in version.indicator_values:
            _bullet(pdf, _value_text(value))
    _heading(pdf, _("Ce que l'on ne sait pas"))
    _paragraphs(pdf, version.unknown, _("Non précisé."))

    _heading(pdf, _("Questions pour le débat"))
    questions = version.question_list or [_("Qu'en pensez-vous ?")]
    for number, question in enumerate(questions, start=1):
        pdf.set_font(FONT, "B", 10.5)
        pdf.multi_cell(0, LINE, f"{number}. {question}", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.set_draw_color(150, 150, 150)
        for _line in range(NOTE_LINES):
            if pdf.will_page_break(8):
                pdf.add_page()
            pdf.ln(8)
            pdf.line(pdf.l_margin, pdf.get_y(), pdf.w - pdf.r_margin, pdf.get_y())
        pdf.ln(3)
    return bytes(pdf.output())
