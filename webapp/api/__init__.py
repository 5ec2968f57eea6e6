"""The JSON API under ``/api/v1``: bearer tokens, marshmallow schemas, problem+json errors."""

from webapp.api import draft_views as _draft_views  # noqa: F401  (registers the draft routes)
from webapp.api import proposal_views as _proposal_views  # noqa: F401  (the refresh queue)
from webapp.api import search_views as _search_views  # noqa: F401  (registers POST /search)
from webapp.api import style_views as _style_views  # noqa: F401  (registers the style routes)
from webapp.api import views as _views  # noqa: F401  (registers the routes on bp)
from webapp.api.blueprint import bp

__all__ = ["bp"]
