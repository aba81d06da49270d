"""The API contract every service inherits: which problems each operation can answer with, the headers it
takes and gives, and the catalogue of every problem code (docs/api-conventions.md)."""
