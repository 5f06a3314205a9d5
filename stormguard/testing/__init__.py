"""stormguard.testing."""
