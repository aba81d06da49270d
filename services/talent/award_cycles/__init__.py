"""Provincial S&T award cycles (吉林省科学技术奖评审周期): one year, one category (AW-1)."""
