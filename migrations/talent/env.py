from alembic import context

from services.talent.models import Base
from shared.db.migrate import run_env

run_env(context, Base.metadata)
