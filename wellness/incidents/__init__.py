"""Critical incidents (PRODUCT.md flow 7): outreach and a follow-up plan for every member
involved."""
