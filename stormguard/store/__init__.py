"""stormguard.store."""
