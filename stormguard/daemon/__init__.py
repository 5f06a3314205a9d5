"""stormguard.daemon."""
