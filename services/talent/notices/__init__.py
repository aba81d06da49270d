"""The talent service's public notices (公示): one set of routes for every kind of notice it runs."""
