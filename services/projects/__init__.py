"""科技计划项目 S&T plan projects service."""
