"""Talent statistics: selections and awards by programme, category, grade, organisation, city, year."""
