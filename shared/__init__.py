"""The common package of the platform: every service and the gateway import it; it imports none of them."""
