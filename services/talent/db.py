from sqlalchemy.orm import DeclarativeBase

from shared.db import CommonTables, new_metadata


class Base(DeclarativeBase):
    metadata = new_metadata()


common = CommonTables(Base)
