"""The access log of every decryption of case content (and of role changes and resets): a
keyed hash chain, checked against signed checkpoints kept outside the database."""
