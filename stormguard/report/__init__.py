"""stormguard.report."""
