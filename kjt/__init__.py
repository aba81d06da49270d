"""The platform's tooling: the ``kjt`` command-line tool, the process runner behind ``make run`` and
the demo data's loader. It reaches the services only by name (uvicorn factories, Alembic folders,
module names) and over HTTP; nothing of the platform imports it."""
