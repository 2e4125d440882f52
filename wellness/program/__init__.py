"""The coordinator's program: the queue, the team, resources, check-in plans, crisis
numbers, and the limits of privacy told before anyone writes."""
