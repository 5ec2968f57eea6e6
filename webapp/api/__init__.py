"""The JSON API under ``/api/v1``: bearer tokens, marshmallow schemas, problem+json errors."""

from webapp.api import views as _views  # noqa: F401  (registers the routes on bp)
from webapp.api.blueprint import bp

__all__ = ["bp"]
