"""科技人才与奖励 Talent programmes and awards service."""
