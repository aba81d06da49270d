from alembic import context

from services.projects.models import Base
from shared.db.migrate import run_env

run_env(context, Base.metadata)
