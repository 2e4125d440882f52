"""What anyone may see before asking: the peer team's public profiles and the resources the
program refers people to. Nothing here records who looks."""
