"""The department's nominations for the national S&T awards (国家科学技术奖提名)."""
