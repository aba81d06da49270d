"""技术转移 Technology transfer service."""
