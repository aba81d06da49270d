"""Applications to a talent programme's yearly call (人才计划申报书)."""
