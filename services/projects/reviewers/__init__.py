"""The provincial reviewer pool (专家库)."""
