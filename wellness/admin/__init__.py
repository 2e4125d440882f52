"""IT administration: accounts, roles and units. Admins never see case content."""
