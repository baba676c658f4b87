"""The role × route matrix: every route of the application declares, for every role,
what a request gets. A new route without a declared expectation fails this test. Each role
walks every route on objects built once for it, and every mismatch is reported."""
from __future__ import annotations

import pytest

from plateforme.accounts.models import Mandate, MandateStatus, MandateTitle, Organisation
from plateforme.surveys.publication import publish

from ..conftest import GENAS, NEIGHBOUR_EPCI
from ..factories import csrf_token, make_survey, sign_in
from ..cards.helpers import route_matrix_fixtures as cards_fixtures
from ..consultations.helpers import route_matrix_fixtures as consultation_fixtures
from ..consultations.outcome_helpers import route_matrix_fixtures as outcome_fixtures
from ..debate.helpers import route_matrix_fixtures as debate_fixtures
from ..observatory.helpers import route_matrix_fixtures as observatory_fixtures

ROLES = ("visitor", "resident", "elected", "partner", "moderator", "admin",
         "member_official", "member_moderator", "neighbour_official", "neighbour_moderator")
# "elected" and "moderator" hold their mandate and appointment on the Métropole de Lyon, where
# every object of the matrix is; "member_*" on Villeurbanne, one of its communes; the neighbours
# outside it, next to it: an official of the CC de l'Est Lyonnais and a moderator of Genas, one
# of its communes, who both live in Genas. Everyone else lives in Villeurbanne.
VILLEURBANNE = "69266"
OFFICIALS = ("elected", "member_official", "neighbour_official")
MODERATORS = ("moderator", "member_moderator", "neighbour_moderator")


def rule(others, *, visitor="login", **given):
    """What each role gets: `given` for the roles named, `others` for every other signed-in
    role, `visitor` for a visitor. "login" = redirected to the sign-in page."""
    unknown = set(given) - set(ROLES)
    assert not unknown, unknown
    return {"visitor": visitor, **{role: given.get(role, others) for role in ROLES[1:]}}


PUBLIC = rule(200, visitor=200)
SIGNED_IN = rule(200)
ADMIN_ONLY = rule(403, admin=200)
ADMIN_ACTION = rule(403, admin=302)
SIGNED_IN_ACTION = rule(302)
ANYONE_ACTION = rule(302, visitor=302)
VISITOR_ONLY_FORM = rule(302, visitor=200)  # signed-in people are sent to their account
TOKEN_LINK = rule(400, visitor=400)  # a made-up token is refused the same way for everyone
NOT_FOUND = rule(404, visitor=404)  # e.g. results of a survey that is not published
NOBODY_HERE = rule(403)  # e.g. an author's own act, and no role here is the author
# Officials anywhere: forms that offer their own territories.
ANY_OFFICIAL = rule(403, **dict.fromkeys(OFFICIALS, 200))
ANY_OFFICIAL_OR_ADMIN = {**ANY_OFFICIAL, "admin": 200}
# Any moderator or an administrator: queues that list only what each may act on.
ANY_MODERATOR_OR_ADMIN = rule(403, **dict.fromkeys(MODERATORS, 200), admin=200)
# Observatory: partners write and review; the AECT inventory is kept by the territory's officials.
PARTNER_ONLY = rule(403, partner=200)
OTHER_ORGANISATION_DRAFT = rule(404, admin=403)
REVIEW_FORM = rule(404, partner=200, admin=403)
# Authority over a Métropole object: a mandate covering it (never a member commune's, never a
# neighbour's), or an administrator.
METROPOLE_OFFICIALS = rule(403, elected=200, admin=200)
# Surveys: who manages (the Métropole's officials and moderators, admins), publishes (moderators,
# admins) and answers the officials' questionnaire (officials of the Métropole and of its
# communes: they are asked, which gives them no say over the survey). A draft's management is
# unknown (404) to whoever may not see it.
SURVEY_MANAGER = rule(403, elected=200, moderator=200, admin=200)
SURVEY_MANAGER_ACTION = rule(403, elected=302, moderator=302, admin=302)
DRAFT_SURVEY_MANAGER = rule(404, elected=200, moderator=200, admin=200)
DRAFT_SURVEY_MANAGER_ACTION = rule(404, elected=302, moderator=302, admin=302)
SURVEY_PUBLISHER_ACTION = {**SURVEY_MANAGER_ACTION, "elected": 403}
SURVEY_PUBLISHER = {**SURVEY_MANAGER, "elected": 403}
SURVEY_OFFICIAL = rule(403, elected=200, member_official=200)
# Residents of the Métropole: the neighbours live elsewhere.
METROPOLE_RESIDENTS = rule(200, neighbour_official=403, neighbour_moderator=403)
# Debate moderation: the Métropole's moderators and the administrators.
MODERATORS_PAGE = rule(403, moderator=200, admin=200)
# Cards on the Métropole: drafted by officials, moderators and partners anywhere; edited by the
# Métropole's officials and moderators; a card never published exists only for them.
CARD_DRAFTERS = rule(200, resident=403)

# endpoint -> (method, url or url builder, expectation)
MATRIX = {
    "core.home": ("GET", "/", PUBLIC),
    "core.legal": ("GET", "/mentions-legales", PUBLIC),
    "core.privacy": ("GET", "/confidentialite", PUBLIC),
    "core.accessibility": ("GET", "/accessibilite", PUBLIC),
    "core.sitemap": ("GET", "/plan-du-site", PUBLIC),
    "core.health": ("GET", "/sante", PUBLIC),
    "core.favicon": ("GET", "/favicon.ico", PUBLIC),
    "core.set_language": ("POST", "/langue", ANYONE_ACTION),
    "static": ("GET", "/static/css/site.css", PUBLIC),
    "territories.index": ("GET", "/territoires/", PUBLIC),
    "territories.search": ("GET", "/territoires/recherche?q=Bron", PUBLIC),
    "territories.show": ("GET", "/territoires/epci/200046977", PUBLIC),
    "feeds.site_feed": ("GET", "/flux.atom", PUBLIC),
    "feeds.territory_feed": ("GET", "/territoires/epci/200046977/flux.atom", PUBLIC),
    "feeds.sitemap_xml": ("GET", "/sitemap.xml", PUBLIC),
    "feeds.sitemap_page": ("GET", "/sitemap-1.xml", NOT_FOUND),  # one file is enough: no numbered ones
    "feeds.robots_txt": ("GET", "/robots.txt", PUBLIC),
    "accounts.register": ("GET", "/inscription", VISITOR_ONLY_FORM),
    "accounts.registered": ("GET", "/inscription/message-envoye", rule(302, visitor=302)),
    "accounts.sign_in": ("GET", "/connexion", VISITOR_ONLY_FORM),
    "accounts.forgot_password": ("GET", "/mot-de-passe-oublie", PUBLIC),
    "accounts.confirm_email": ("POST", "/confirmer/not-a-token", TOKEN_LINK),
    "accounts.reset_password": ("GET", "/reinitialiser/not-a-token", TOKEN_LINK),
    "accounts.sign_out": ("POST", "/deconnexion", ANYONE_ACTION),
    "accounts.profile": ("GET", "/compte", SIGNED_IN),
    "accounts.change_password": ("GET", "/compte/mot-de-passe", SIGNED_IN),
    "accounts.declare_mandate": ("GET", "/compte/mandat", SIGNED_IN),
    "accounts.download_data": ("GET", "/compte/mes-donnees.json", SIGNED_IN),
    "accounts.delete_account": ("GET", "/compte/supprimer", SIGNED_IN),
    "accounts.resend_confirmation": ("POST", "/compte/renvoyer-confirmation", SIGNED_IN_ACTION),
    "accounts.change_email": ("GET", "/compte/adresse", SIGNED_IN),
    "accounts.revert_email": ("POST", "/compte/adresse/annuler/not-a-token", TOKEN_LINK),
    "accounts.sessions": ("GET", "/compte/sessions", SIGNED_IN),
    "accounts.end_one_session": ("POST", "/compte/sessions/999999/fermer",
                                 {"visitor": "login", **dict.fromkeys(ROLES[1:], 404)}),
    "accounts.end_other_sessions": ("POST", "/compte/sessions/fermer-les-autres", SIGNED_IN_ACTION),
    "accounts.end_all_sessions": ("POST", "/compte/sessions/fermer-toutes", SIGNED_IN_ACTION),
    "admin.dashboard": ("GET", "/admin/", ADMIN_ONLY),
    "admin.people": ("GET", "/admin/personnes", ADMIN_ONLY),
    "admin.mandates": ("GET", "/admin/mandats", ADMIN_ONLY),
    "admin.decide_mandate": ("POST", lambda ids: f"/admin/mandats/{ids['mandate']}/verifier", ADMIN_ACTION),
    "admin.confirm_end_mandate": ("GET", lambda ids: f"/admin/mandats/{ids['mandate']}/terminer", ADMIN_ONLY),
    "admin.organisations": ("GET", "/admin/organisations", ADMIN_ONLY),
    "admin.organisation": ("GET", lambda ids: f"/admin/organisations/{ids['organisation']}", ADMIN_ONLY),
    "admin.remove_member": ("POST", lambda ids: f"/admin/organisations/{ids['organisation']}/membres/999/retirer",
                            ADMIN_ACTION),
    "admin.moderators": ("GET", "/admin/moderation", ADMIN_ONLY),
    "admin.revoke_moderator": ("POST", lambda ids: f"/admin/moderation/{ids['appointment']}/retirer", ADMIN_ACTION),
    "admin.confirm_revoke_moderator": ("GET", lambda ids: f"/admin/moderation/{ids['appointment']}/retirer",
                                       ADMIN_ONLY),
    "admin.territories": ("GET", "/admin/territoires", ADMIN_ONLY),
    "admin.mail_outbox": ("GET", "/admin/courriels", ADMIN_ONLY),
    "api.survey_results": ("GET", "/api/v1/surveys/999999/results", NOT_FOUND),
    "api.survey_results_csv": ("GET", "/api/v1/surveys/999999/results.csv", NOT_FOUND),
    "api.survey_changes": ("GET", "/api/v1/surveys/999999/changes", NOT_FOUND),
    "api.survey_changes_csv": ("GET", "/api/v1/surveys/999999/changes.csv", NOT_FOUND),
    "api.findings": ("GET", "/api/v1/findings?per_page=5", PUBLIC),
    "api.finding": ("GET", lambda ids: f"/api/v1/findings/{ids['finding']}", PUBLIC),
    "api.indicators": ("GET", "/api/v1/indicators", PUBLIC),
    "api.indicator": ("GET", lambda ids: f"/api/v1/indicators/{ids['indicator']}", PUBLIC),
    "api.indicator_values": ("GET", lambda ids: f"/api/v1/indicators/{ids['indicator']}/values", PUBLIC),
    "api.external_actions": ("GET", "/api/v1/external-actions", PUBLIC),
    "api.openapi": ("GET", "/api/v1/openapi.json", PUBLIC),
    "api.index": ("GET", "/api/v1", PUBLIC),
    "api.surveys": ("GET", "/api/v1/surveys?status=published", PUBLIC),
    # Territories side by side: public; one published survey alone is no comparison (400 for everyone).
    "api.comparisons": ("GET", lambda ids: f"/api/v1/comparisons?surveys={ids['published_survey']}",
                        rule(400, visitor=400)),
    # Open data on cards, consultations and commitments: public to all; a draft consultation
    # (or a card never published) answers 404 like an unknown id.
    "api.cards": ("GET", "/api/v1/cards?territory=200046977", PUBLIC),
    "api.card": ("GET", "/api/v1/cards/999999", NOT_FOUND),
    "api.consultations": ("GET", "/api/v1/consultations?per_page=5", PUBLIC),
    "api.consultation": ("GET", lambda ids: f"/api/v1/consultations/{ids['consultation']}", PUBLIC),
    "api.commitments": ("GET", "/api/v1/commitments?status=in_progress", PUBLIC),
    "api.consultations_csv": ("GET", "/api/v1/consultations.csv", PUBLIC),
    "api.commitments_csv": ("GET", "/api/v1/commitments.csv", PUBLIC),
    "observatory.index": ("GET", "/observatoire/", PUBLIC),
    "observatory.territory": ("GET", "/observatoire/territoire/commune/69266", PUBLIC),
    "observatory.who_sees_what": ("GET", "/observatoire/qui-voit-quoi", PUBLIC),
    "observatory.my_organisation": ("GET", "/observatoire/mon-organisation", PARTNER_ONLY),
    "observatory.findings": ("GET", "/observatoire/constats?q=etudiants&flow_kind=people", PUBLIC),
    "observatory.finding": ("GET", lambda ids: f"/observatoire/constats/{ids['finding']}", PUBLIC),
    "observatory.new_finding": ("GET", "/observatoire/constats/nouveau", PARTNER_ONLY),
    "observatory.edit_finding": ("GET", lambda ids: f"/observatoire/constats/{ids['finding_draft']}/modifier",
                                 OTHER_ORGANISATION_DRAFT),
    "observatory.submit_finding": ("POST", lambda ids: f"/observatoire/constats/{ids['finding_draft']}/soumettre",
                                   OTHER_ORGANISATION_DRAFT),
    "observatory.review_queue": ("GET", "/observatoire/relecture", PARTNER_ONLY),
    "observatory.review_finding": ("GET", lambda ids: f"/observatoire/constats/{ids['finding_in_review']}/relire",
                                   REVIEW_FORM),
    "observatory.withdraw_finding": ("GET", lambda ids: f"/observatoire/constats/{ids['finding']}/retirer",
                                     ADMIN_ONLY),
    "observatory.indicators": ("GET", "/observatoire/indicateurs", PUBLIC),
    "observatory.indicator": ("GET", lambda ids: f"/observatoire/indicateurs/{ids['indicator']}", PUBLIC),
    "observatory.new_indicator": ("GET", "/observatoire/indicateurs/nouveau", PARTNER_ONLY),
    "observatory.edit_indicator": ("GET", lambda ids: f"/observatoire/indicateurs/{ids['indicator']}/modifier",
                                   ADMIN_ONLY),
    "observatory.indicator_values": ("GET", lambda ids: f"/observatoire/indicateurs/{ids['indicator']}/valeurs",
                                     ADMIN_ONLY),
    # Posted without a file: the administrator gets the form back with its error.
    "observatory.import_indicator_values": ("POST", lambda ids: f"/observatoire/indicateurs/{ids['indicator']}/importer",
                                            ADMIN_ONLY),
    "observatory.external_actions": ("GET", "/observatoire/action-exterieure/epci/200046977", PUBLIC),
    "observatory.new_external_action": ("GET", "/observatoire/action-exterieure/epci/200046977/nouvelle",
                                        METROPOLE_OFFICIALS),
    "observatory.edit_external_action": ("GET", lambda ids: f"/observatoire/action-exterieure/action/{ids['external_action']}/modifier",
                                         METROPOLE_OFFICIALS),
    "observatory.open_data": ("GET", "/observatoire/donnees", PUBLIC),
    "observatory.download": ("GET", "/observatoire/donnees/valeurs.csv", PUBLIC),
    "observatory.datapackage": ("GET", "/observatoire/donnees/datapackage.json", PUBLIC),
    "opendata.index": ("GET", "/donnees", ANYONE_ACTION),  # to the open-data page
    "opendata.bundle": ("GET", "/donnees/tout.zip", PUBLIC),
    "opendata.catalogue": ("GET", "/donnees/catalogue.jsonld", PUBLIC),
    "opendata.api_page": ("GET", "/donnees/api", PUBLIC),
    "surveys.index": ("GET", "/questionnaires/", PUBLIC),
    "surveys.create": ("GET", "/questionnaires/nouveau", ANY_OFFICIAL_OR_ADMIN),
    # An empty import form is shown again with its errors.
    "surveys.import_definition": ("POST", "/questionnaires/importer", ANY_OFFICIAL_OR_ADMIN),
    "surveys.show": ("GET", lambda ids: f"/questionnaires/{ids['open_survey']}", PUBLIC),
    # Every role but the neighbours lives in Villeurbanne, within the survey's territory.
    "surveys.answer": ("GET", lambda ids: f"/questionnaires/{ids['open_survey']}/repondre", METROPOLE_RESIDENTS),
    "surveys.answer_with_code": ("GET", lambda ids: f"/questionnaires/{ids['panel_survey']}/code", PUBLIC),
    "surveys.thanks": ("GET", lambda ids: f"/questionnaires/{ids['open_survey']}/merci", PUBLIC),
    "surveys.officials": ("GET", lambda ids: f"/questionnaires/{ids['open_survey']}/elus", SURVEY_OFFICIAL),
    "surveys.manage": ("GET", lambda ids: f"/questionnaires/{ids['open_survey']}/gerer", SURVEY_MANAGER),
    "surveys.open_": ("POST", lambda ids: f"/questionnaires/{ids['draft_survey']}/gerer/ouvrir",
                      DRAFT_SURVEY_MANAGER_ACTION),
    # Closing and publishing: a confirmation page, then a POST that acts only from it (without
    # confirm=yes, as here, it goes back to the confirmation page).
    "surveys.confirm_close": ("GET", lambda ids: f"/questionnaires/{ids['open_survey']}/gerer/clore", SURVEY_MANAGER),
    "surveys.close": ("POST", lambda ids: f"/questionnaires/{ids['open_survey']}/gerer/clore", SURVEY_MANAGER_ACTION),
    "surveys.confirm_publish": ("GET", lambda ids: f"/questionnaires/{ids['closed_survey']}/gerer/publier",
                                SURVEY_PUBLISHER),
    "surveys.publish_results": ("POST", lambda ids: f"/questionnaires/{ids['closed_survey']}/gerer/publier",
                                SURVEY_PUBLISHER_ACTION),
    # Without a number of codes, the management page comes back with the error.
    "surveys.generate_invitation_codes": ("POST", lambda ids: f"/questionnaires/{ids['panel_survey']}/gerer/codes",
                                          SURVEY_MANAGER),
    "surveys.import_paper_answers": ("POST", lambda ids: f"/questionnaires/{ids['open_survey']}/gerer/import-reponses",
                                     ADMIN_ONLY),
    "surveys.import_official_estimates": (
        "POST", lambda ids: f"/questionnaires/{ids['open_survey']}/gerer/import-estimations", ADMIN_ONLY),
    # Declaring (here: clearing) the wave a draft follows.
    "surveys.previous_wave": ("POST", lambda ids: f"/questionnaires/{ids['draft_survey']}/gerer/vague-precedente",
                              DRAFT_SURVEY_MANAGER_ACTION),
    "surveys.definition": ("GET", lambda ids: f"/questionnaires/{ids['draft_survey']}/definition.json",
                           DRAFT_SURVEY_MANAGER),
    "surveys.results": ("GET", lambda ids: f"/questionnaires/{ids['published_survey']}/resultats", PUBLIC),
    "surveys.results_version": ("GET", lambda ids: f"/questionnaires/{ids['published_survey']}/resultats/v1", PUBLIC),
    # An official's private feedback: only who answered the officials' questionnaire, and no role here did.
    "surveys.comparison": ("GET", "/questionnaires/comparaison", PUBLIC),
    # An official's private feedback: the officials asked (of the territory or a member commune, not a
    # neighbour), who then need their receipt; nobody else, administrators included.
    "surveys.my_feedback": ("GET", lambda ids: f"/questionnaires/{ids['published_survey']}/mon-retour",
                            rule(403, elected=200, member_official=200)),
    "surveys.results_snapshot": ("GET", lambda ids: f"/questionnaires/{ids['published_survey']}/resultats/v1.json",
                                 PUBLIC),
    # Issue cards: officials, moderators, partners and admins draft; a card is edited by its author and the
    # territory's officials and moderators, published by its moderators and admins; a card never published
    # exists only for them (404 for the others, who may not see it). All cards are on the Métropole de Lyon.
    "cards.index": ("GET", "/fiches-enjeux/?territory=200046977&political_status=invisible", PUBLIC),
    "cards.show": ("GET", lambda ids: f"/fiches-enjeux/{ids['card']}", PUBLIC),
    "cards.history": ("GET", lambda ids: f"/fiches-enjeux/{ids['card']}/historique", PUBLIC),
    "cards.version": ("GET", lambda ids: f"/fiches-enjeux/{ids['card']}/versions/1", PUBLIC),
    "cards.kit": ("GET", lambda ids: f"/fiches-enjeux/{ids['card']}/kit", PUBLIC),
    "cards.kit_pdf": ("GET", lambda ids: f"/fiches-enjeux/{ids['card']}/kit.pdf", PUBLIC),
    "cards.create": ("GET", "/fiches-enjeux/nouvelle", CARD_DRAFTERS),
    "cards.mine": ("GET", "/fiches-enjeux/mes-fiches", CARD_DRAFTERS),
    "cards.queue": ("GET", "/fiches-enjeux/a-publier", ANY_MODERATOR_OR_ADMIN),
    "cards.edit": ("GET", lambda ids: f"/fiches-enjeux/{ids['card_draft']}/modifier",
                   rule(404, elected=200, moderator=200, admin=200)),
    "cards.submit": ("POST", lambda ids: f"/fiches-enjeux/{ids['card_draft']}/soumettre",
                     rule(404, elected=302, moderator=302, admin=302)),
    "cards.new_version": ("GET", lambda ids: f"/fiches-enjeux/{ids['card']}/nouvelle-version",
                          rule(403, elected=200, moderator=200, admin=200)),
    "cards.review": ("GET", lambda ids: f"/fiches-enjeux/{ids['card_submitted']}/publication",
                     rule(404, elected=403, moderator=200, admin=200)),
    # Consultations: officials anywhere open them on their own territories; the Métropole de Lyon's
    # officials (the matrix's elected person) run its consultations; a draft is their managers'
    # alone (404 for others); anyone signed in follows.
    "consultations.index": ("GET", "/consultations/?stage=open", PUBLIC),
    "consultations.my_territory": ("GET", "/consultations/mon-territoire", ANY_OFFICIAL_OR_ADMIN),
    "consultations.create": ("GET", "/consultations/nouvelle", ANY_OFFICIAL),
    "consultations.show": ("GET", lambda ids: f"/consultations/{ids['consultation']}", PUBLIC),
    "consultations.edit": ("GET", lambda ids: f"/consultations/{ids['consultation']}/modifier", METROPOLE_OFFICIALS),
    "consultations.publish": ("POST", lambda ids: f"/consultations/{ids['consultation_draft']}/publier",
                              rule(404, elected=302, admin=302)),
    "consultations.confirm_publish": ("GET", lambda ids: f"/consultations/{ids['consultation_draft']}/publier",
                                      rule(404, elected=200, admin=200)),
    "consultations.cancel": ("GET", lambda ids: f"/consultations/{ids['consultation']}/annuler", METROPOLE_OFFICIALS),
    "consultations.follow": ("POST", lambda ids: f"/consultations/{ids['consultation']}/suivre", SIGNED_IN_ACTION),
    "consultations.unfollow": ("POST", lambda ids: f"/consultations/{ids['consultation']}/ne-plus-suivre",
                               SIGNED_IN_ACTION),
    # What closes a consultation: the Métropole's moderators (and admins) write the synthesis, its
    # officials (and admins) publish the response, add commitments and report progress; commitment
    # pages, the accountability page are public; notifications are each signed-in person's own.
    "consultations.write_synthesis": ("GET", lambda ids: f"/consultations/{ids['synthesis_consultation']}/synthese",
                                      MODERATORS_PAGE),
    "consultations.publish_response": ("GET", lambda ids: f"/consultations/{ids['response_consultation']}/reponse",
                                       METROPOLE_OFFICIALS),
    "consultations.add_commitment": (
        "GET", lambda ids: f"/consultations/{ids['concluded_consultation']}/engagements/nouveau", METROPOLE_OFFICIALS),
    "consultations.commitment": ("GET", lambda ids: f"/consultations/engagements/{ids['commitment']}", PUBLIC),
    "consultations.update_commitment": ("GET", lambda ids: f"/consultations/engagements/{ids['commitment']}/suivi",
                                        METROPOLE_OFFICIALS),
    "consultations.accountability": ("GET", "/consultations/redevabilite/epci/200046977", PUBLIC),
    "notifications.index": ("GET", "/compte/notifications/", SIGNED_IN),
    "notifications.mark_all_read": ("POST", "/compte/notifications/tout-lu", SIGNED_IN_ACTION),
    "notifications.stop_emails": ("GET", "/compte/notifications/courriels/arreter/not-a-token", TOKEN_LINK),
    # Debate: anyone signed in comments and proposes in the open phase (the matrix's consultations
    # are open to any registered person); a comment is withdrawn by its author only (none of the
    # roles here); the Métropole's officials and the administrators answer proposals.
    "debate.debate": ("GET", lambda ids: f"/consultations/{ids['debate_consultation']}/debat", PUBLIC),
    "debate.comment": ("GET", lambda ids: f"/consultations/{ids['debate_consultation']}/commenter", SIGNED_IN),
    "debate.comment_link": ("GET", lambda ids: f"/consultations/{ids['debate_consultation']}/commentaires/{ids['comment']}",
                            rule(302, visitor=302)),
    "debate.reply": ("GET", lambda ids: f"/consultations/{ids['debate_consultation']}/commentaires/{ids['comment']}/repondre",
                     SIGNED_IN),
    "debate.withdraw_comment": (
        "GET", lambda ids: f"/consultations/{ids['debate_consultation']}/commentaires/{ids['comment']}/retirer",
        NOBODY_HERE),
    "debate.propose": ("GET", lambda ids: f"/consultations/{ids['proposals_consultation']}/proposer", SIGNED_IN),
    "debate.proposal": ("GET", lambda ids: f"/consultations/{ids['proposals_consultation']}/propositions/{ids['proposal']}",
                        PUBLIC),
    "debate.answer_proposal": (
        "GET", lambda ids: f"/consultations/{ids['proposals_consultation']}/propositions/{ids['proposal']}/repondre",
        METROPOLE_OFFICIALS),
    # A proposal is withdrawn by its author only (none of the roles here).
    "debate.withdraw_proposal": (
        "GET", lambda ids: f"/consultations/{ids['proposals_consultation']}/propositions/{ids['proposal']}/retirer",
        NOBODY_HERE),
    # Reports and moderation (issue 6): anyone signed in reports someone else's contribution; the
    # Métropole's moderators (the matrix's moderator) and the administrators work the queue, act on
    # its debate and set its rules; each consultation's moderation log is public.
    "debate.report": ("GET", lambda ids: f"/consultations/{ids['debate_consultation']}/signaler/commentaire/{ids['comment']}",
                      SIGNED_IN),
    # The queue is any moderator's (it lists what is theirs to decide).
    "debate.moderation_queue": ("GET", "/consultations/moderation", ANY_MODERATOR_OR_ADMIN),
    "debate.hide_content": (
        "GET", lambda ids: f"/consultations/{ids['debate_consultation']}/moderation/commentaire/{ids['comment']}/masquer",
        MODERATORS_PAGE),
    "debate.suspend_author": (
        "GET", lambda ids: f"/consultations/{ids['debate_consultation']}/moderation/commentaire/{ids['comment']}/suspendre",
        MODERATORS_PAGE),
    "debate.moderate": (
        "POST", lambda ids: f"/consultations/{ids['debate_consultation']}/moderation/commentaire/{ids['comment']}/verrouiller",
        {**MODERATORS_PAGE, "moderator": 302, "admin": 302}),
    "debate.moderation_settings": ("GET", "/consultations/moderation/regles/epci/200046977", MODERATORS_PAGE),
    "debate.moderation_log": ("GET", lambda ids: f"/consultations/{ids['debate_consultation']}/moderation", PUBLIC),
    # Reactions and editing (issue 6): anyone signed in endorses or supports someone else's
    # contribution (a plain POST that comes back to the page); a comment is corrected by its
    # author only (none of the roles here); a visible comment's history is public.
    "debate.endorse": ("POST", lambda ids: f"/consultations/{ids['debate_consultation']}/commentaires/{ids['comment']}/soutenir",
                       SIGNED_IN_ACTION),
    "debate.withdraw_endorsement": (
        "POST", lambda ids: f"/consultations/{ids['debate_consultation']}/commentaires/{ids['comment']}/retirer-soutien",
        SIGNED_IN_ACTION),
    "debate.support": (
        "POST", lambda ids: f"/consultations/{ids['proposals_consultation']}/propositions/{ids['proposal']}/soutenir",
        SIGNED_IN_ACTION),
    "debate.withdraw_support": (
        "POST", lambda ids: f"/consultations/{ids['proposals_consultation']}/propositions/{ids['proposal']}/retirer-soutien",
        SIGNED_IN_ACTION),
    "debate.edit_comment": (
        "GET", lambda ids: f"/consultations/{ids['debate_consultation']}/commentaires/{ids['comment']}/modifier",
        NOBODY_HERE),
    "debate.comment_history": (
        "GET", lambda ids: f"/consultations/{ids['debate_consultation']}/commentaires/{ids['comment']}/historique",
        PUBLIC),
}


def test_every_route_declares_its_expectations(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    undeclared = endpoints - set(MATRIX)
    assert not undeclared, f"routes without a role expectation: {sorted(undeclared)}"
    stale = set(MATRIX) - endpoints
    assert not stale, f"expectations for routes that no longer exist: {sorted(stale)}"
    incomplete = {endpoint: sorted(set(ROLES) - set(expectation))
                  for endpoint, (_method, _url, expectation) in MATRIX.items() if set(expectation) != set(ROLES)}
    assert not incomplete, f"routes that do not say what some roles get: {incomplete}"


def _user_for(role, make):
    return {
        "visitor": lambda: None,
        "resident": lambda: make.user(),
        "elected": lambda: make.elected(),
        "partner": lambda: make.partner(),
        "moderator": lambda: make.moderator(),
        "admin": lambda: make.admin(),
        "member_official": lambda: make.elected(VILLEURBANNE),
        "member_moderator": lambda: make.moderator(VILLEURBANNE),
        "neighbour_official": lambda: make.elected(NEIGHBOUR_EPCI, commune=GENAS),
        "neighbour_moderator": lambda: make.moderator(GENAS, commune=GENAS),
    }[role]()


def _fixtures(make, db) -> dict:
    """Objects the parametrised URLs point at."""
    declarer = make.user()
    mandate = Mandate(user=declarer, territory=make.territory("69266"), title=MandateTitle.MAIRE,
                      status=MandateStatus.PENDING)
    db.session.add(mandate)
    moderator = make.moderator()
    organisation = make.organisation()
    db.session.commit()
    published = make_survey(db, "closed")
    publish(published)
    db.session.commit()
    return {"mandate": mandate.id, "organisation": organisation.id, "appointment": moderator.moderations[0].id,
            "draft_survey": make_survey(db, "draft").id, "open_survey": make_survey(db, "open").id,
            "panel_survey": make_survey(db, "open", sampling_mode="panel").id,
            "closed_survey": make_survey(db, "closed").id, "published_survey": published.id}


# Actions that end the walker's own session: the walk signs in again after them.
SIGNS_OUT = {"accounts.sign_out", "accounts.end_all_sessions"}

# Actions that change an object other actions of the walk point at: they come last.
CHANGES_SHARED_OBJECTS = {"surveys.close": "the open survey of the import rows",
                          "surveys.open_": "the draft survey of the previous-wave row",
                          "debate.moderate": "the comment of the endorsement rows"}


def _walk_order() -> list[str]:
    """Pages first, then actions, then the actions that change a shared object: what an action
    changes (a survey opened, a card submitted, a comment locked) is seen by no other row."""
    return sorted(MATRIX, key=lambda endpoint: (MATRIX[endpoint][0] != "GET", endpoint in CHANGES_SHARED_OBJECTS,
                                                endpoint))


def _outcome(response):
    """A status code, or "login" for a redirection to the sign-in page."""
    if response.status_code == 302 and "/connexion" in response.headers.get("Location", ""):
        return "login"
    return response.status_code


@pytest.mark.parametrize("role", ROLES)
def test_role_gets_what_the_matrix_says(app, client, make, db, neighbour, role):
    """One walk over every route per role, on objects built once for it (building them for
    each route took most of the suite's time); every mismatch is reported, not just the first."""
    ids = {**_fixtures(make, db), **observatory_fixtures(make, db), **consultation_fixtures(make, db),
           **debate_fixtures(make, db), **cards_fixtures(make, db), **outcome_fixtures(make, db)}
    user = _user_for(role, make)
    if user is not None:
        sign_in(client, user)
    mismatches = []
    for endpoint in _walk_order():
        method, url, expectation = MATRIX[endpoint]
        url = url(ids) if callable(url) else url
        if method == "GET":
            response = client.get(url)
        else:
            # A visitor's pages carry no token but on forms (core/page_cache.py): the sign-in form's.
            token = csrf_token(client, "/plan-du-site" if user is not None else "/connexion")
            response = client.post(url, data={"csrf_token": token, "lang": "en"})
        got = _outcome(response)
        if got != expectation[role]:
            mismatches.append(f"{endpoint} ({method} {url}): {role} expected {expectation[role]!r}, got {got!r}")
        if endpoint in SIGNS_OUT and user is not None:
            sign_in(client, user)  # the walk goes on signed in
    assert not mismatches, "\n".join(mismatches)
