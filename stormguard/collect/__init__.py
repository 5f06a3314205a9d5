"""stormguard.collect."""
