"""The web dashboard and REST API (FastAPI): review queue, audit log, statistics, policy.

Start it with ``vigie serve``; build it in Python with :func:`create_app`::

    from vigie.web import create_app, load_web_settings

    app = create_app(load_web_settings(mode="dev"))
"""

from vigie.web.app import create_app
from vigie.web.settings import WebSettings, WebSettingsError, load_web_settings

__all__ = ["WebSettings", "WebSettingsError", "create_app", "load_web_settings"]
