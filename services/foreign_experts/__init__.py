"""外国专家局 Foreign Experts Bureau service."""
