"""The HTTP edge, one blueprint per audience: the public API and home page, passkey
ceremonies, the clinic verifier, the member app and API, and the insurer's admin pages."""
from flask import Flask


def init_app(app: Flask) -> None:
    from . import converters
    converters.init_app(app)            # <id:…> must exist before the blueprints add their rules
    from . import admin, caching, ceremonies, clinic, display, errors, headers, home  # noqa: I001
    from . import health, member_api, member_pages, public_api
    display.init_app(app)
    errors.init_app(app)
    caching.init_app(app)
    headers.init_app(app)
    for blueprint in (admin.bp, member_pages.bp, ceremonies.bp, member_api.bp, public_api.bp,
                      public_api.well_known, clinic.bp, home.bp, health.bp):
        app.register_blueprint(blueprint)
