"""省自然科学基金 Provincial Natural Science Foundation service."""
