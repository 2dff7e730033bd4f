"""Extensions, created once here and bound to an app in ``create_app()``."""

from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy

from portal.core.csrf_masking import MaskingCSRFProtect
from portal.core.db import Base

db = SQLAlchemy(model_class=Base)
migrate = Migrate()
babel = Babel()
# Tokens are masked afresh in every page, so compressed pages cannot leak them (BREACH).
csrf = MaskingCSRFProtect()
# Storage is pointed at the portal's Redis in create_app(); counters hold no personal data.
limiter = Limiter(key_func=get_remote_address, default_limits=[])
