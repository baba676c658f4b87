"""An Atom document (RFC 4287) of events, written by feedgen."""
from __future__ import annotations

from datetime import datetime, timezone

from feedgen.feed import FeedGenerator
from flask import current_app, url_for
from flask_babel import get_locale

from ..core.urls import absolute_url, external_url_for
from .events import Event

# An empty feed still needs an <updated>: the feed then says nothing happened, since always.
NOTHING_YET = datetime(2000, 1, 1, tzinfo=timezone.utc)


def entry_id(event: Event) -> str:
    """A tag: URI (RFC 4151) on the site's host: stable across a change of page address or
    of language, and never reused for another event."""
    host = external_url_for("core.home").split("//", 1)[1].split("/", 1)[0].split(":")[0]
    return f"tag:{host},2026:{event.key}"


def atom_document(events: list[Event], *, title: str, subtitle: str, self_url: str, page_url: str,
                  feed_key: str) -> bytes:
    """The feed of `events` (newest first, as given), in the reader's language."""
    feed = FeedGenerator()
    feed.id(entry_id(Event(feed_key, "", "", "", {}, NOTHING_YET, None)))
    feed.title(title)
    feed.subtitle(subtitle)
    feed.author({"name": current_app.config.get("SITE_NAME", "plateforme")})
    feed.link(href=page_url, rel="alternate", type="text/html")
    feed.link(href=self_url, rel="self", type="application/atom+xml")
    feed.language(str(get_locale()))
    feed.updated(events[0].updated if events else NOTHING_YET)
    for event in events:
        entry = feed.add_entry(order="append")
        entry.id(entry_id(event))
        entry.title(event.title)
        entry.link(href=absolute_url(url_for(event.endpoint, **event.values)), rel="alternate", type="text/html")
        entry.updated(event.updated)
        entry.published(event.updated)
        if event.summary:
            entry.summary(event.summary)
        for name in event.authors:
            entry.author({"name": name})
        if event.territory is not None:
            entry.category(term=f"{event.territory.kind.value}-{event.territory.code}", label=event.territory.name)
    return feed.atom_str(pretty=True)
