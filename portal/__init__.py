"""The portal: one codebase, a public face for applicants and an internal face for staff.

The app is built by ``create_app()`` (``portal.app``); nothing happens at import time.
"""

from portal.app import create_app

__all__ = ["create_app"]
