"""Program statistics: the coordinator's exact working figures, and the differentially
private releases everyone else sees."""
