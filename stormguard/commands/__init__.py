"""Sub-commands of the `stormguard` CLI, discovered by module name (see stormguard.cli)."""
