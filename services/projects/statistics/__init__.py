"""Statistics of applications (申报统计): counts and amounts by programme, status, year and region."""
