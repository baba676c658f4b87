"""Notification emails can be turned off — from the profile, or without signing in from the
link every notification email carries — while the notifications stay on the site."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from plateforme.accounts.models import User
from plateforme.accounts.services import export_personal_data
from plateforme.consultations.models import PhaseKind
from plateforme.notifications.models import Notification, NotificationKind
from plateforme.notifications.services import notify_followers, notify_user

from ..consultations.helpers import build_consultation
from ..consultations.outcome_helpers import follow
from ..factories import csrf_token, page_text, post_form, sign_in

TICKED = re.compile(r'<input[^>]* checked [^>]*name="email_notifications"')
STOP_LINK = re.compile(r"http://localhost(/compte/notifications/courriels/arreter/[\w.-]+)")


@pytest.fixture
def consultation(make):
    return build_consultation(make, current=PhaseKind.RESPONSE)


def _notified(db, user) -> list[NotificationKind]:
    return sorted(db.session.execute(select(Notification.kind).filter_by(user_id=user.id)).scalars())


def _profile(user, **changes) -> dict:
    fields = {"email": user.email, "display_name": user.display_name, "commune": "Villeurbanne", "locale": ""}
    return {**fields, **changes}


def test_the_profile_turns_notification_emails_off_and_on(client, make, db):
    person = make.user()
    sign_in(client, person)
    assert TICKED.search(client.get("/compte").get_data(as_text=True))
    # An unticked box is not sent by the browser: the field is absent.
    assert post_form(client, "/compte", _profile(person)).status_code == 302
    assert db.session.get(User, person.id).email_notifications is False
    page = client.get("/compte").get_data(as_text=True)
    assert 'name="email_notifications"' in page and not TICKED.search(page)
    assert export_personal_data(db.session.get(User, person.id))["account"]["email_notifications"] is False
    assert post_form(client, "/compte", _profile(person, email_notifications="y")).status_code == 302
    assert db.session.get(User, person.id).email_notifications is True


def test_people_who_turned_emails_off_are_still_notified_on_the_site(make, db, outbox, consultation,
                                                                    request_context):
    mailed, quiet = make.user(), make.user()
    quiet.email_notifications = False
    db.session.commit()
    follow(db, consultation, mailed, quiet)
    notify_followers(consultation, NotificationKind.RESPONSE_PUBLISHED, f"/consultations/{consultation.id}",
                     consultation.title)
    notify_user(quiet, NotificationKind.PROPOSAL_ANSWERED, consultation, "/x", "Un guichet unique")
    db.session.commit()
    assert _notified(db, mailed) == [NotificationKind.RESPONSE_PUBLISHED]
    assert _notified(db, quiet) == sorted([NotificationKind.RESPONSE_PUBLISHED, NotificationKind.PROPOSAL_ANSWERED])
    assert [message.to for message in outbox] == [mailed.email]


def test_the_link_in_every_email_stops_them_without_signing_in(client, make, db, outbox, consultation,
                                                              request_context):
    person, other = make.user(locale="en"), make.user()
    notify_user(person, NotificationKind.PROPOSAL_ANSWERED, consultation, "/x", "Un guichet unique")
    db.session.commit()
    message = outbox[-1]
    path = STOP_LINK.search(message.body).group(1)
    assert dict(message.headers)["List-Unsubscribe"] == f"<http://localhost{path}>"
    assert "stay on the" in message.body  # written in the person's language, like the rest

    page = client.get(path)  # opening the link changes nothing (mail scanners open links)
    assert page.status_code == 200 and "Ne plus recevoir ces courriels" in page_text(page)
    assert db.session.get(User, person.id).email_notifications is True
    assert client.post(path, data={}).status_code == 400  # no CSRF token: refused
    assert db.session.get(User, person.id).email_notifications is True
    done = client.post(path, data={"csrf_token": csrf_token(client, path)})
    assert done.status_code == 302
    assert "vous ne recevrez plus vos notifications par courriel" in page_text(client.get(done.headers["Location"]))
    assert db.session.get(User, person.id).email_notifications is False
    assert db.session.get(User, other.id).email_notifications is True

    outbox.clear()
    notify_user(db.session.get(User, person.id), NotificationKind.PROPOSAL_ANSWERED, consultation, "/x", "Encore")
    db.session.commit()
    assert outbox == [] and len(_notified(db, person)) == 2


@pytest.mark.parametrize("damage", ["cut", "forged", "other_purpose"])
def test_a_damaged_or_forged_stop_link_is_refused_clearly(client, make, db, outbox, consultation, request_context,
                                                        damage):
    from itsdangerous import URLSafeSerializer

    person = make.user()
    notify_user(person, NotificationKind.PROPOSAL_ANSWERED, consultation, "/x", "Un guichet unique")
    db.session.commit()
    path = STOP_LINK.search(outbox[-1].body).group(1)
    token = path.rsplit("/", 1)[1]
    if damage == "cut":
        token = token[:-4]
    elif damage == "forged":
        token = URLSafeSerializer("not-the-secret-key", salt="plateforme.notifications.stop-emails").dumps(person.id)
    else:  # signed with the site's key, but for something else
        token = URLSafeSerializer(client.application.config["SECRET_KEY"], salt="another-purpose").dumps(person.id)
    response = client.get(f"/compte/notifications/courriels/arreter/{token}")
    assert response.status_code == 400
    assert "Ce lien d'arrêt des courriels n'est pas valable" in page_text(response)
    assert db.session.get(User, person.id).email_notifications is True
