"""What every /api/ answer carries for clients in other sites' pages (CORS), and pagination
links as a `Link` header (RFC 8288) beside the JSON body's `links`.

CORS is set here once, for every answer under /api/ and of the open-data files served
elsewhere (errors and preflights included), so that a script on another site can read a
400's problem details or a 503's Retry-After, and can send If-None-Match. A preflight (OPTIONS) answers 204: Flask answers OPTIONS for every
route by itself (with `Allow`), this only adds the CORS headers and drops the body.
"""
from __future__ import annotations

from flask import request, url_for

from . import api_bp

ALLOWED_METHODS = "GET, HEAD, OPTIONS"
ALLOWED_HEADERS = "Accept, Accept-Language, If-None-Match, If-Modified-Since"
EXPOSED_HEADERS = "ETag, Last-Modified, Link, Retry-After, Allow, Content-Disposition"
PREFLIGHT_MAX_AGE = "86400"  # a day: browsers cap it lower anyway
# The files the data page and the catalogue point to outside /api/: a harvester's or a
# site's script revalidates them (If-None-Match) like the API, which takes a preflight.
OPEN_FILES = frozenset({"observatory.download", "observatory.datapackage", "opendata.catalogue", "opendata.bundle",
                        "surveys.results_snapshot"})


@api_bp.after_app_request
def _cors(response):
    if not request.path.startswith("/api/") and request.endpoint not in OPEN_FILES:
        return response
    headers = response.headers
    headers["Access-Control-Allow-Origin"] = "*"  # open data, no credentials: any site may read it
    headers["Access-Control-Expose-Headers"] = EXPOSED_HEADERS
    if request.method == "OPTIONS" and response.status_code == 200:
        response.status_code = 204
        response.set_data(b"")
        headers.remove("Content-Type")
        headers.remove("Content-Length")
        headers["Access-Control-Allow-Methods"] = ALLOWED_METHODS
        headers["Access-Control-Allow-Headers"] = ALLOWED_HEADERS
        headers["Access-Control-Max-Age"] = PREFLIGHT_MAX_AGE
    return response


def page_links(endpoint: str, page: int, per_page: int, total: int, **view_args) -> tuple[int, dict]:
    """(the number of pages, the links of page `page` of a list of `total` items): the
    request's other arguments kept. Past the last page, `prev` leads to the last one (a
    client that asked too far finds its way back), and there is no `next`."""
    pages = max(1, -(-total // per_page))
    args = {k: v for k, v in request.args.items() if k not in ("page", "per_page")}

    def link(number: int) -> str:
        return url_for(endpoint, **view_args, **args, page=number, per_page=per_page, _external=True)

    return pages, {"self": link(page), "first": link(1), "last": link(pages),
                   "next": link(page + 1) if page < pages else None,
                   "prev": link(min(page - 1, pages)) if page > 1 else None}


def link_header(links: dict) -> str:
    """The `Link` header of a page's links (`self`, `first`, `last`, `next`, `prev`; None ones left out)."""
    return ", ".join(f'<{url}>; rel="{rel}"' for rel, url in links.items() if url)
