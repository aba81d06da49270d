"""The gateway: authenticates people and agencies, limits rates, routes, and serves the merged docs."""
