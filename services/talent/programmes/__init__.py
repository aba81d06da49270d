"""Talent programmes (科技人才计划), kept as data by officials."""
