"""stormguard.demo."""
