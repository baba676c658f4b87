"""A correction as staff make one: something published was wrong and is fixed (here the
survey's title, a typo), then a new version. A correction that changes nothing is refused
(surveys/publication.py), so the tests that need a second version change something first."""
from __future__ import annotations

from plateforme.surveys.publication import publish


def publish_correction(survey, change_note: str, **publish_options):
    survey.title = f"{survey.title} (titre corrigé)"
    return publish(survey, change_note=change_note, **publish_options)
