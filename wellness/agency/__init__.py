"""The agency's chain of command: the unit tree, its supervisors, and the rules over them."""
