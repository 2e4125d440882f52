"""Each person's keys and the program's: creating and unlocking them, sealing only to public
keys the database cannot forge, rotation, and restoring access after a reset."""
