from alembic import context

from services.foreign_experts.models import Base
from shared.db.migrate import run_env

run_env(context, Base.metadata)
