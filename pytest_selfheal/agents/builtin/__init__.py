"""The offline, deterministic agent: fault localization plus LibCST repair templates."""
