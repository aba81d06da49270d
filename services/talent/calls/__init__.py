"""Yearly calls of the talent programmes (科技人才计划年度申报)."""
