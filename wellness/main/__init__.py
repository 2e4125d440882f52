"""The front door: what this is, where to get help now, the way in; and health checks."""
