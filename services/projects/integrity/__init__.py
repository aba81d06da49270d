"""Research-integrity records (科研诚信, PRJ-5, NSF-7)."""
