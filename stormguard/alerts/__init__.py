"""stormguard.alerts."""
