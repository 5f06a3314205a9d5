"""stormguard.rules."""
