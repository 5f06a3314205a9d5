"""stormguard.sniffer."""
