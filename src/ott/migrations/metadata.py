"""Every service's tables, gathered for Alembic. Add a service's models module here."""

from ott.activity import models as activity_models  # noqa: F401
from ott.ads import models as ads_models  # noqa: F401
from ott.auth import models as auth_models  # noqa: F401
from ott.content import models as content_models  # noqa: F401
from ott.core.database import Base
from ott.media import models as media_models  # noqa: F401
from ott.subscriptions import models as subscription_models  # noqa: F401

target_metadata = Base.metadata
